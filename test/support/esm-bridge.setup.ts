// @fastify/static (CommonJS) require()s content-disposition, which is ESM-only: Node 20 allows that,
// Jest does not before Node 24.9. Handing Jest the already-loaded ES module bridges the gap
// (docs/architecture.md, stack notes, "The Jest ESM bridge").
import { jest } from '@jest/globals';
import * as contentDisposition from 'content-disposition';

jest.mock('content-disposition', () => contentDisposition);
