// Drives the local server with the official @upstash/qstash client.
// Env: QSTASH_URL, QSTASH_TOKEN, DEST (base URL of a recording endpoint).
// Prints one JSON line per step: {"step", "ok", "result"} or {"step", "ok": false, "error"}.
import { Client } from "@upstash/qstash";

const client = new Client({ baseUrl: process.env.QSTASH_URL, token: process.env.QSTASH_TOKEN });
const dest = process.env.DEST;

async function step(name, fn) {
  try {
    const result = await fn();
    console.log(JSON.stringify({ step: name, ok: true, result: result ?? null }));
    return result;
  } catch (error) {
    console.log(JSON.stringify({ step: name, ok: false, error: String(error && error.message ? error.message : error) }));
    return undefined;
  }
}

await step("publishJSON", () =>
  client.publishJSON({ url: `${dest}/js/json`, body: { hello: "js" }, headers: { "X-From": "js" }, retries: 2 }),
);
await step("publish", () => client.publish({ url: `${dest}/js/raw`, body: "raw text", method: "PUT" }));
const delayed = await step("publishDelayed", () =>
  client.publishJSON({ url: `${dest}/js/later`, body: { later: true }, delay: 3600, label: "js-label" }),
);
await step("messagesGet", () => client.messages.get(delayed.messageId));
await step("messagesCancel", () => client.messages.cancel(delayed.messageId));
await step("batchJSON", () =>
  client.batchJSON([
    { url: `${dest}/js/b1`, body: { n: 1 } },
    { url: `${dest}/js/b2`, body: { n: 2 } },
  ]),
);
await step("urlGroupsAdd", () =>
  client.urlGroups.addEndpoints({
    name: "js-group",
    endpoints: [
      { name: "e1", url: `${dest}/js/g1` },
      { name: "e2", url: `${dest}/js/g2` },
    ],
  }),
);
await step("urlGroupsGet", () => client.urlGroups.get("js-group"));
await step("urlGroupsList", () => client.urlGroups.list());
await step("publishToGroup", () => client.publishJSON({ urlGroup: "js-group", body: { group: true } }));
await step("urlGroupsRemove", () =>
  client.urlGroups.removeEndpoints({ name: "js-group", endpoints: [{ name: "e2" }] }),
);
await step("urlGroupsGetAfterRemove", () => client.urlGroups.get("js-group"));
await step("urlGroupsDelete", () => client.urlGroups.delete("js-group"));

const queue = client.queue({ queueName: "js-queue" });
await step("queueUpsert", () => queue.upsert({ parallelism: 1 }));
await step("queueEnqueueJSON", () => queue.enqueueJSON({ url: `${dest}/js/queued`, body: { q: 1 } }));
await step("queueGet", () => queue.get());
await step("queueList", () => queue.list());
await step("queuePause", () => queue.pause());
await step("queueGetPaused", () => queue.get());
await step("queueResume", () => queue.resume());
await step("queueDelete", () => queue.delete());

const created = await step("schedulesCreate", () =>
  client.schedules.create({ destination: `${dest}/js/cron`, cron: "*/5 * * * *", body: "tick" }),
);
await step("schedulesGet", () => client.schedules.get(created.scheduleId));
await step("schedulesList", () => client.schedules.list());
await step("schedulesPause", () => client.schedules.pause({ schedule: created.scheduleId }));
await step("schedulesGetPaused", () => client.schedules.get(created.scheduleId));
await step("schedulesResume", () => client.schedules.resume({ schedule: created.scheduleId }));
await step("schedulesDelete", () => client.schedules.delete(created.scheduleId));

await step("publishFlowControl", () =>
  client.publishJSON({ url: `${dest}/js/fc`, body: {}, flowControl: { key: "js-fc", parallelism: 2, rate: 5, period: "1m" } }),
);
await step("flowControlGet", () => client.flowControl.get("js-fc"));
await step("flowControlPin", () => client.flowControl.pin("js-fc", { parallelism: 3, rate: 20, period: 120 }));
await step("flowControlGetPinned", () => client.flowControl.get("js-fc"));
await step("flowControlUnpin", () => client.flowControl.unpin("js-fc", { parallelism: true, rate: true }));
await step("flowControlResetRate", () => client.flowControl.resetRate("js-fc"));
await step("flowControlPause", () => client.flowControl.pause("js-fc"));
await step("flowControlResume", () => client.flowControl.resume("js-fc"));
await step("globalParallelism", () => client.flowControl.getGlobalParallelism());

await step("dlqList", () => client.dlq.listMessages());
await step("logs", () => client.logs({ filter: { messageId: delayed.messageId } }));
