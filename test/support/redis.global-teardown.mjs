// Stops the private redis-server redis.global-setup.mjs started, if it started one; nothing else.
export { globalTeardown as default } from './redis.global-setup.mjs';
