#!/usr/bin/env bash
# Thumbnails on upload, the image-processing demo of serverless talks, end to end on fanout: a PNG
# uploaded to a bucket of a real Ceph RGW fires a bucket notification to fanout's webhook trigger;
# each upload becomes a one-item job of the function `thumbnails` — an unmodified S3-triggered
# Lambda function in Node (examples/functions/thumbnails: aws-lambda-ric, the AWS SDK, jimp) —
# which writes a 128-pixel-wide thumbnail into a second bucket.
#
#   ./dev example thumbnails        # installs the function's npm packages once, outside the clone
source "$(dirname "$0")/lib.sh"

modules="${FANOUT_THUMBNAILS_MODULES:-}"
[ -d "$modules" ] || { say "FANOUT_THUMBNAILS_MODULES is not set: run ./dev example thumbnails" >&2; exit 2; }
start_rgw_unless_given || true
s3_make_bucket photos
s3_make_bucket thumbnails

webhook_port=$(free_port)
cat >"$work/trigger.json" <<JSON
{"rules": [{"name": "thumbnails", "source": {"type": "webhook"},
            "filter": {"events": ["ObjectCreated:*"], "bucket": "photos", "suffix": ".png"},
            "job": {"function": "thumbnails", "max_attempts": 3, "timeout": "60s"}}]}
JSON
start_fanout_dev --trigger_config="$work/trigger.json" --trigger_listen="127.0.0.1:$webhook_port"

say "deploying the function (its code with node_modules: $(du -sh "$modules" | cut -f1))"
mkdir -p "$work/fn"
cp examples/functions/thumbnails/{bootstrap,index.mjs,package.json} "$work/fn/"
cp -r "$modules" "$work/fn/node_modules"
"$FANOUT" function create thumbnails --code="$work/fn" --handler=index.handler --memory_mb=512 \
  --timeout=60s --env THUMBNAIL_BUCKET=thumbnails --env AWS_ENDPOINT_URL="$AWS_ENDPOINT_URL" \
  --env AWS_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" --env AWS_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" \
  --description="128-pixel thumbnails of uploaded PNGs"

say "telling RGW to push the bucket's ObjectCreated events to the webhook on port $webhook_port"
form="Action=CreateTopic&Name=fanout-thumbnails&Attributes.entry.1.key=push-endpoint&Attributes.entry.1.value=$(urlencode "http://127.0.0.1:$webhook_port/")"
# RGW's topic API: a form POST to the endpoint, signed over its payload (curl hashes it).
arn=$(curl -sS --fail --aws-sigv4 "aws:amz:${AWS_REGION:-us-east-1}:s3" \
  --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
  -H "content-type: application/x-www-form-urlencoded" --data "$form" "$AWS_ENDPOINT_URL/" |
  grep -o '<TopicArn>[^<]*' | cut -d'>' -f2)
[ -n "$arn" ] || { say "RGW made no topic" >&2; exit 1; }
cat >"$work/notification.xml" <<XML
<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TopicConfiguration><Id>thumbnails</Id><Topic>$arn</Topic><Event>s3:ObjectCreated:*</Event></TopicConfiguration></NotificationConfiguration>
XML
# "notification=": curl signs the query as written, and RGW wants the '=' of an empty value.
s3 -o /dev/null -X PUT -H "content-type: application/xml" --data-binary @"$work/notification.xml" \
  "$AWS_ENDPOINT_URL/photos?notification="

say "uploading 6 PNG photos (640x480; one key with spaces)"
python3 - "$work" <<'PY'
import struct, sys, zlib
def png(path, width, height, seed):
    rows = b"".join(b"\0" + bytes((x * 255 // width + seed) % 256 if c == 0 else
                                  (y * 255 // height) if c == 1 else (seed * 40) % 256
                                  for x in range(width) for c in range(3)) for y in range(height))
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
for i in range(6):
    png(f"{sys.argv[1]}/photo{i}.png", 640, 480, i)
PY
for i in 0 1 2 3 4; do s3_put photos "2026/12/photo-$i.png" "$work/photo$i.png"; done
s3_put photos "2026/12/cat on the sofa.png" "$work/photo5.png"

say "waiting for the thumbnails"
for _ in $(seq 120); do
  made=$(s3 "$AWS_ENDPOINT_URL/thumbnails?list-type=2&prefix=thumbs%2F" | { grep -o '<Key>' || true; } | wc -l)
  [ "$made" -ge 6 ] && break
  sleep 0.5
done
[ "$made" -ge 6 ] || { say "only $made of 6 thumbnails were made" >&2; tail -20 "$work/dev.log" >&2; exit 1; }
s3 -o "$work/thumb.png" "$AWS_ENDPOINT_URL/thumbnails/$(urlencode "thumbs/2026/12/cat on the sofa.png")"
size=$(python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(); assert d[:8]==b"\x89PNG\r\n\x1a\n"; print("%dx%d" % struct.unpack(">II", d[16:24]))' "$work/thumb.png")
[ "$size" = "128x96" ] || { say "the thumbnail is $size, not 128x96" >&2; exit 1; }
say "6 uploads made 6 thumbnails; thumbs/2026/12/cat on the sofa.png is $size"
job=$("$FANOUT" list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["job_id"])')
say "a job's result (fanout results $job) and what the function printed (fanout logs $job):"
"$FANOUT" results "$job"
"$FANOUT" logs "$job"
say "code can also come from a bucket: the docs' bash function as a zip in s3://code/echo.zip"
s3_make_bucket code
(cd examples/functions/bash && zip -q -r "$work/echo.zip" .)
s3_put code echo.zip "$work/echo.zip"
"$FANOUT" function create echo --code=s3://code/echo.zip --handler=function.handler
echoed=$("$FANOUT" invoke echo --payload='{"from":"s3"}')
[ "$echoed" = '{"echo": {"from":"s3"}}' ] || { say "echo from s3:// answered $echoed" >&2; exit 1; }
