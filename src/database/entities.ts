import { Account, AccountEmail, AccountProject } from '../directory/account.entity.js';
import { OutboxMessage } from '../notifications/outbox.entity.js';
import { Ticket, TicketAccessToken, TicketEvent, TicketLink } from '../tickets/ticket.entity.js';
import { Initial1764000000000 } from './migrations/1764000000000-initial.js';

export const ENTITIES = [Account, AccountEmail, AccountProject, Ticket, TicketEvent, TicketLink, TicketAccessToken, OutboxMessage];
export const MIGRATIONS = [Initial1764000000000];
