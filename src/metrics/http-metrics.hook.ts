import type { FastifyInstance } from 'fastify';
import { MetricsRegistry, UNMATCHED_ROUTE } from './metrics.registry.js';

/**
 * Times every HTTP response, labelled by the matched route's pattern (`/status/:token`), never by
 * the URL, so tokens in paths never become label values and the label set stays small. Register
 * before any plugin whose routes should be measured: Fastify copies root hooks into plugins as they
 * are registered. `reply.elapsedTime` runs from the moment Fastify received the request, before
 * every onRequest hook, so the session and guards are part of the figure.
 */
export function registerHttpMetrics(fastify: FastifyInstance, metrics: MetricsRegistry): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.is404 ? UNMATCHED_ROUTE : (request.routeOptions.url ?? UNMATCHED_ROUTE);
    metrics.httpResponded(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}
