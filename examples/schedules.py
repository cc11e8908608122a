"""Schedules: publish on a cron."""

import os

from upstash_qstash import Client

DESTINATION = os.environ.get("DESTINATION_URL", "https://example.com/api/qstash")

client = Client()

# As written in the original README.
schedules = client.schedules()
created = schedules.create(
    {
        "destination": DESTINATION,
        "cron": "*/5 * * * *",
    }
)
print("created", created.schedule_id)

# A fixed id makes create an upsert; CRON_TZ= picks a time zone.
daily = client.schedules.create_json(
    destination=DESTINATION,
    cron="CRON_TZ=Europe/Berlin 0 9 * * *",
    body={"report": "daily"},
    schedule_id="daily-report",
    retries=1,
)

schedule = client.schedules.get(daily.schedule_id)
print(schedule.schedule_id, schedule.cron, "next:", schedule.next_schedule_time)

client.schedules.pause(daily.schedule_id)
print("paused:", client.schedules.get(daily.schedule_id).is_paused)
client.schedules.resume(daily.schedule_id)

print("schedules:", [s.schedule_id for s in client.schedules.list()])
for schedule_id in (created.schedule_id, daily.schedule_id):
    client.schedules.delete(schedule_id)
client.close()
