// The generating half of `npm run seed:bulk` (bulk-seeder.ts writes): a worker thread that makes the
// run's histories, one batch per message from the main thread, so that the next batch is generated
// while the main thread writes the last. The same options give the same histories as in any thread.
import { parentPort, workerData } from 'node:worker_threads';
import { bulkHistories, type HistoryWorkerData, rulesFromPlain } from './seed-histories.js';
import type { TicketHistory } from './ticket-history.js';

const data = workerData as HistoryWorkerData;
const histories = bulkHistories(data.options, rulesFromPlain(data.rules), data.firstSerial);

parentPort!.on('message', () => {
  const batch: TicketHistory[] = [];
  while (batch.length < data.batch) {
    const next = histories.next();
    if (next.done) break;
    batch.push(next.value);
  }
  // An empty batch: the run is complete.
  parentPort!.postMessage(batch);
});
