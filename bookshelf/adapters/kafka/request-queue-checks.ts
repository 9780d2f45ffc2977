/**
 * kafkajs 2.2.4 looks at a connection's queue of waiting requests on a timer that, once the connection has had one
 * answer, sets itself again every millisecond for as long as the connection lives, whether anything waits or not:
 * a thousand wake-ups a second per connection, idle or busy (tulios/kafkajs#1556 and #1704). A request waits only
 * while the broker throttles the client or too many are in flight, and an answer sends the next one itself; so the
 * timer is set only while a request waits.
 */
// The module kafkajs itself loads, so that the change reaches its clients, bundled or not.
import kafkajsRequestQueue from 'kafkajs/src/network/requestQueue/index.js';

interface RequestQueue {
  pending: unknown[];
  scheduleCheckPendingRequests: (this: RequestQueue) => void;
}

let installed = false;

/** Makes every kafkajs connection of this thread check its waiting requests only while some wait; once is enough. */
export function checkWaitingRequestsOnly(): void {
  if (installed) return;
  installed = true;
  const prototype = kafkajsRequestQueue.prototype as RequestQueue;
  const schedule = prototype.scheduleCheckPendingRequests;
  prototype.scheduleCheckPendingRequests = function () {
    if (this.pending.length > 0) schedule.call(this);
  };
}
