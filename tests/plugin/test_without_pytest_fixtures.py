import unittest

from upstash_qstash.testing import LocalQStash, Recorder


class ReminderTest(unittest.TestCase):
    def test_reminder_is_sent_tomorrow(self) -> None:
        with LocalQStash() as qstash, Recorder() as endpoint, qstash.client() as client:
            client.publish_json(url=endpoint.url + "/remind", body={"to": "ada"}, delay="1d")
            qstash.advance(86400)
            [delivery] = endpoint.requests
            self.assertEqual(delivery.json(), {"to": "ada"})
            self.assertTrue(delivery.verify(qstash.receiver(), url=endpoint.url + "/remind"))
