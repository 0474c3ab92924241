// A Lambda handler, unchanged from what runs on AWS, plus fanout's extras where it finds them:
// its context in context.clientContext.custom.fanout (JSON text: custom values are strings), and
// checkpoints for long work.
const fanoutOf = (context) => JSON.parse(context.clientContext?.custom?.fanout ?? "{}");

// Keeps `cursor` durably before returning; false means stop (the lease is gone or the job was
// cancelled).
async function checkpoint(context, cursor, progress) {
  const url = `http://${process.env.AWS_LAMBDA_RUNTIME_API}${fanoutOf(context).checkpoint_path}`;
  const res = await fetch(url, {method: "POST", body: JSON.stringify({cursor, progress})});
  return res.status === 200;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export const handler = async (event, context) => {
  const fanout = fanoutOf(context);
  if (event.throw) throw new TypeError(event.throw);
  if (event.exit !== undefined) process.exit(event.exit);
  if (event.hog_mb) {
    const kept = [];
    for (let i = 0; i < event.hog_mb; i++) kept.push(Buffer.alloc(1 << 20, 1));
    return {held_mb: kept.length};
  }
  if (event.steps) {
    // Long work: resumes from the last checkpoint, across time limits and workers.
    const start = fanout.cursor?.step ?? 0;
    for (let step = start; step < event.steps; step++) {
      await sleep(event.step_ms ?? 50);
      if (!(await checkpoint(context, {step: step + 1}, (step + 1) / event.steps))) {
        throw new Error("stopped: lease lost or job cancelled");
      }
    }
    return {steps: event.steps, resumed_from: start, attempt: fanout.attempt};
  }
  console.log("echo", JSON.stringify(event));
  return {echo: event, job_id: fanout.job_id, request_id: context.awsRequestId};
};
