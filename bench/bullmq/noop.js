// BullMQ's side of noop-fanout: N jobs that do nothing, added in bulk and processed by W worker
// processes of C concurrency each (fanout's setup: 2 workers x 4 slots), against the Redis at
// REDIS_PORT. Timed like fanout's: from the first add until every job is seen completed. Prints one
// JSON line: {"tasks": N, "seconds": S, "tasks_per_second": R}.
//
//   REDIS_PORT=6390 node noop.js [tasks=100000] [workers=2] [concurrency=4]
'use strict';
const { fork } = require('child_process');
const { Queue, Worker } = require('bullmq');

const connection = { host: '127.0.0.1', port: Number(process.env.REDIS_PORT) };
const queueName = 'noop';

if (process.argv[2] === 'worker') {
  // A worker process: runs jobs until told to stop.
  const worker = new Worker(queueName, async () => {}, {
    connection,
    concurrency: Number(process.argv[3]),
  });
  process.on('message', async () => {
    await worker.close();
    process.exit(0);
  });
  worker.waitUntilReady().then(() => process.send('ready'));
} else {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}

async function main() {
  const tasks = Number(process.argv[2] || 100000);
  const workers = Number(process.argv[3] || 2);
  const concurrency = Number(process.argv[4] || 4);
  const queue = new Queue(queueName, { connection });
  await queue.obliterate({ force: true });
  const children = [];
  for (let i = 0; i < workers; i++) {
    const child = fork(__filename, ['worker', String(concurrency)]);
    await new Promise((resolve) => child.once('message', resolve));
    children.push(child);
  }
  const start = process.hrtime.bigint();
  for (let i = 0; i < tasks; i += 1000) {
    const batch = [];
    for (let j = i; j < Math.min(tasks, i + 1000); j++) batch.push({ name: 'noop', data: { i: j } });
    await queue.addBulk(batch);
  }
  while ((await queue.getJobCounts('completed')).completed < tasks) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  for (const child of children) child.send('stop');
  await queue.close();
  console.log(JSON.stringify({ tasks, seconds, tasks_per_second: tasks / seconds }));
  process.exit(0);
}
