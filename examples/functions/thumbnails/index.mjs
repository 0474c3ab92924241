// Thumbnails on upload: the S3-triggered Lambda function of the classic demo, unchanged — an
// S3 event in, the image read with the AWS SDK, scaled with jimp (pure JavaScript), the thumbnail
// written to another bucket. fanout's webhook trigger turns each upload into a one-item job whose
// item is the event ({"Records": [record]}).
import {GetObjectCommand, PutObjectCommand, S3Client} from "@aws-sdk/client-s3";
import {Jimp} from "jimp";

const s3 = new S3Client({
  endpoint: process.env.AWS_ENDPOINT_URL || undefined,  // an S3-compatible store (Ceph RGW)
  forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL),
});
const DEST = process.env.THUMBNAIL_BUCKET;
const WIDTH = Number(process.env.THUMBNAIL_WIDTH || 128);

async function thumbnail(record) {
  const bucket = record.s3.bucket.name;
  // Keys arrive URL-encoded, a space as '+', as S3 sends them.
  const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, " "));
  const object = await s3.send(new GetObjectCommand({Bucket: bucket, Key: key}));
  const image = await Jimp.read(Buffer.from(await object.Body.transformToByteArray()));
  const original = {width: image.bitmap.width, height: image.bitmap.height};
  image.resize({w: WIDTH});
  const png = await image.getBuffer("image/png");
  const thumbKey = `thumbs/${key.replace(/\.[^./]+$/, "")}.png`;
  await s3.send(new PutObjectCommand({Bucket: DEST, Key: thumbKey, Body: png,
                                      ContentType: "image/png"}));
  console.log(`s3://${bucket}/${key} ${original.width}x${original.height} -> ` +
              `s3://${DEST}/${thumbKey} ${image.bitmap.width}x${image.bitmap.height}`);
  return {source: `s3://${bucket}/${key}`, thumbnail: `s3://${DEST}/${thumbKey}`, original,
          width: image.bitmap.width, height: image.bitmap.height, bytes: png.length};
}

export const handler = async (event) => {
  const made = [];
  for (const record of event.Records) made.push(await thumbnail(record));
  return made.length === 1 ? made[0] : made;
};
