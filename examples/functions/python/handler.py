"""A Python handler: word counts of the event's "text", and fanout's job id from the context."""
import json


def main(event, context):
    if "fail" in event:
        raise ValueError(event["fail"])
    fanout = json.loads((context.client_context or {}).get("custom", {}).get("fanout", "{}"))
    words = str(event.get("text", "")).split()
    return {"words": len(words), "job_id": fanout.get("job_id")}
