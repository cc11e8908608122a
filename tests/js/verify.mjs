// Verifies one delivery with the official Receiver.
// Env: SIGNATURE, BODY_BASE64, URL, QSTASH_CURRENT_SIGNING_KEY, QSTASH_NEXT_SIGNING_KEY.
import { Receiver } from "@upstash/qstash";

const receiver = new Receiver({
  currentSigningKey: process.env.QSTASH_CURRENT_SIGNING_KEY,
  nextSigningKey: process.env.QSTASH_NEXT_SIGNING_KEY,
});
const body = Buffer.from(process.env.BODY_BASE64, "base64").toString("utf8");
try {
  const ok = await receiver.verify({ signature: process.env.SIGNATURE, body, url: process.env.URL });
  console.log(JSON.stringify({ ok }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, error: String(error.message ?? error) }));
}
