// The official client in dev mode (QSTASH_DEV=true, QSTASH_DEV_PORT=<port>): it checks
// GET /v2/keys for the documented dev keys and, finding them, uses the running server
// instead of downloading its own. Env: DEST (base URL of a recording endpoint).
import { Client } from "@upstash/qstash";

try {
  const client = new Client();
  const result = await client.publishJSON({ url: `${process.env.DEST}/dev-mode`, body: { dev: true } });
  console.log(JSON.stringify({ ok: true, messageId: result.messageId }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, error: String(error.message ?? error) }));
}
