/** The injection token of the app's own Redis client (rate limits, sessions, health). */
export const REDIS = Symbol('REDIS');
