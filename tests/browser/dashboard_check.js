#!/usr/bin/env node
// Headless Chromium check of the coordinator's dashboard while a job runs.
//
//   node dashboard_check.js --url http://127.0.0.1:PORT --job JOBID --out DIR [--chromium /usr/bin/chromium]
//
// a) URL/#/ lists the job: row #jobs tr[data-job-id=JOBID] with a .progress[data-progress] -> DIR/jobs.png
// b) that progress grows within 30 s (the job is running and advancing)
// c) the job id link opens #/jobs/JOBID: #job-progress, a non-empty #count-succeeded and task rows
//    in #tasks -> DIR/job.png
// d) URL/#/workers lists workers (#workers tbody tr) -> DIR/workers.png
// e) prints {"first_progress", "later_progress", "screenshots"} as one JSON line and exits 0.
// Any failure, an uncaught page error or a console error: "dashboard_check: <what failed>" on
// stderr, DIR/failure.png when a page is open, exit 1.
'use strict';

const fs = require('fs');
const path = require('path');

const USAGE =
  'usage: node dashboard_check.js --url http://127.0.0.1:PORT --job JOBID --out DIR [--chromium /usr/bin/chromium]';
const ROW_TIMEOUT_MS = 15000;
const ADVANCE_TIMEOUT_MS = 30000;
const POLL_MS = 500;
const VIEWPORT = { width: 1400, height: 900 };

class CheckError extends Error {}

function fail(message) {
  throw new CheckError(message);
}

function parseArgs(argv) {
  const known = new Set(['url', 'job', 'out', 'chromium']);
  const args = { chromium: '/usr/bin/chromium' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') fail(USAGE);
    const m = /^--([a-z]+)(?:=(.*))?$/s.exec(arg);
    if (!m || !known.has(m[1])) fail(`unknown argument ${JSON.stringify(arg)}; ${USAGE}`);
    let value = m[2];
    if (value === undefined) {
      if (i + 1 >= argv.length) fail(`--${m[1]} needs a value; ${USAGE}`);
      value = argv[++i];
    }
    args[m[1]] = value;
  }
  for (const name of ['url', 'job', 'out']) {
    if (!args[name]) fail(`--${name} is required; ${USAGE}`);
  }
  if (!/^https?:\/\//.test(args.url)) fail(`--url must start with http:// or https://, got ${args.url}`);
  args.url = args.url.replace(/\/+$/, '');
  return args;
}

// A CSS string literal (for attribute selectors).
function cssString(s) {
  return '"' + String(s).replace(/[\\"]/g, '\\$&').replace(/\n/g, '\\a ') + '"';
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isTimeout(err) {
  return err && err.name === 'TimeoutError';
}

// Runs `promise`; a Playwright timeout becomes a CheckError saying `what`.
async function expectWithin(promise, what) {
  try {
    return await promise;
  } catch (err) {
    if (isTimeout(err)) fail(what);
    throw err;
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const outDir = path.resolve(args.out);
  fs.mkdirSync(outDir, { recursive: true });
  if (!fs.existsSync(args.chromium)) fail(`no Chromium at ${args.chromium} (use --chromium PATH)`);

  let chromium;
  try {
    ({ chromium } = require('playwright-core'));
  } catch (err) {
    fail(`cannot load playwright-core (run npm ci in ${__dirname}): ${err.message}`);
  }

  let browser = null;
  let page = null;
  // The first page error or console error; fails whichever step is waiting.
  let pageProblem = null;
  let rejectOnProblem;
  const problem = new Promise((_, reject) => {
    rejectOnProblem = reject;
  });
  problem.catch(() => {});
  const report = (message) => {
    if (pageProblem) return;
    pageProblem = new CheckError(message);
    rejectOnProblem(pageProblem);
  };
  // Runs one step, failing early on a page problem.
  const step = (promise) => {
    if (pageProblem) return Promise.reject(pageProblem);
    Promise.resolve(promise).catch(() => {});
    return Promise.race([promise, problem]);
  };

  const screenshots = [];
  const shoot = async (name, fullPage) => {
    const file = path.join(outDir, name);
    await page.screenshot({ path: file, fullPage });
    screenshots.push(file);
  };

  try {
    try {
      browser = await chromium.launch({
        executablePath: args.chromium,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
        timeout: 60000,
      });
    } catch (err) {
      fail(`cannot launch Chromium ${args.chromium}: ${err.message.split('\n')[0]}`);
    }
    const context = await browser.newContext({ viewport: VIEWPORT });
    page = await context.newPage();
    page.on('pageerror', (err) => report(`page error on ${page.url()}: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const loc = msg.location();
      const where = loc && loc.url ? ` (${loc.url}:${loc.lineNumber})` : '';
      report(`console error on ${page.url()}: ${msg.text()}${where}`);
    });
    page.on('crash', () => report(`the page crashed on ${page.url()}`));

    const job = args.job;
    const rowSelector = `#jobs tr[data-job-id=${cssString(job)}]`;
    const row = page.locator(rowSelector).first();
    const progress = row.locator('.progress').first();

    const readProgress = async () => {
      const raw = await expectWithin(
        progress.getAttribute('data-progress', { timeout: 5000 }),
        `no .progress element in ${rowSelector}`,
      );
      if (raw === null) fail(`the .progress element of ${rowSelector} has no data-progress attribute`);
      const value = Number.parseFloat(raw);
      if (!Number.isFinite(value)) fail(`data-progress of job ${job} is not a number: ${JSON.stringify(raw)}`);
      return value;
    };

    // a) the jobs list
    const listUrl = `${args.url}/#/`;
    let response;
    try {
      response = await step(page.goto(listUrl, { waitUntil: 'load', timeout: 30000 }));
    } catch (err) {
      if (err instanceof CheckError) throw err;
      fail(`cannot open ${listUrl}: ${err.message.split('\n')[0]}`);
    }
    if (response && response.status() >= 400) fail(`GET ${listUrl} answered HTTP ${response.status()}`);
    await step(
      expectWithin(
        row.waitFor({ state: 'attached', timeout: ROW_TIMEOUT_MS }),
        `job ${job} is not listed on ${listUrl}: no ${rowSelector} within ${ROW_TIMEOUT_MS / 1000} s`,
      ),
    );
    const firstProgress = await step(readProgress());
    await step(shoot('jobs.png', true));

    // b) the job advances
    let laterProgress = firstProgress;
    const deadline = Date.now() + ADVANCE_TIMEOUT_MS;
    for (;;) {
      await step(sleep(POLL_MS));
      laterProgress = await step(readProgress());
      if (laterProgress > firstProgress) break;
      if (Date.now() >= deadline) {
        fail(
          `job ${job} did not advance within ${ADVANCE_TIMEOUT_MS / 1000} s: data-progress was ` +
            `${firstProgress} at first and ${laterProgress} at the end (expected it to grow)`,
        );
      }
    }

    // b2) the bar ends where its label says (a checkpointing task's bar once showed full at 27.5%)
    const shown = await step(
      page.evaluate((sel) => {
        const r = document.querySelector(sel);
        const segs = [...r.querySelectorAll('.progress .seg.ok, .progress .seg.bad, .progress .seg.run')];
        const filled = segs.reduce((a, seg) => a + (Number.parseFloat(seg.style.width) || 0), 0);
        const label = Number.parseFloat(r.querySelector('.pct').textContent);
        return { filled, label };
      }, rowSelector),
    );
    if (!(Math.abs(shown.filled - shown.label) <= 0.3)) {
      fail(`job ${job}'s bar is ${shown.filled.toFixed(1)}% filled but its label says ${shown.label}%`);
    }

    // c) the job's page, through the job id link
    const link = row
      .locator(`a[href$=${cssString(`#/jobs/${job}`)}], a[href$=${cssString(`#/jobs/${encodeURIComponent(job)}`)}]`)
      .or(row.getByRole('link', { name: job, exact: true }))
      .first();
    await step(
      expectWithin(link.click({ timeout: 5000 }), `no link to job ${job} (an <a> to #/jobs/${job}) in ${rowSelector}`),
    );
    await step(
      expectWithin(
        page.locator('#job-progress').first().waitFor({ state: 'attached', timeout: ROW_TIMEOUT_MS }),
        `the job page of ${job} shows no #job-progress within ${ROW_TIMEOUT_MS / 1000} s`,
      ),
    );
    await step(
      expectWithin(
        page.waitForFunction(
          () => {
            const el = document.querySelector('#count-succeeded');
            return el !== null && el.textContent.trim() !== '';
          },
          null,
          { timeout: ROW_TIMEOUT_MS, polling: 100 },
        ),
        `the job page of ${job} has no non-empty #count-succeeded within ${ROW_TIMEOUT_MS / 1000} s`,
      ),
    );
    const wantHash = `#/jobs/${job}`;
    const hashOk = await step(
      page
        .waitForFunction(
          (want) => {
            const h = window.location.hash;
            let decoded = h;
            try {
              decoded = decodeURIComponent(h);
            } catch (e) {
              // keep h
            }
            return h === want || decoded === want;
          },
          wantHash,
          { timeout: 5000, polling: 100 },
        )
        .then(() => true, (err) => {
          if (isTimeout(err)) return false;
          throw err;
        }),
    );
    if (!hashOk) {
      const hash = await step(page.evaluate(() => window.location.hash));
      fail(`after clicking job ${job}, location.hash is ${JSON.stringify(hash)}, expected ${JSON.stringify(wantHash)}`);
    }
    await step(
      expectWithin(
        page.waitForFunction(
          () => Array.from(document.querySelectorAll('#tasks tr')).some((tr) => tr.querySelector('td') !== null),
          null,
          { timeout: ROW_TIMEOUT_MS, polling: 100 },
        ),
        `the job page of ${job} lists no task (no data row in #tasks) within ${ROW_TIMEOUT_MS / 1000} s`,
      ),
    );
    await step(shoot('job.png', true));

    // d) the workers page
    const workersUrl = `${args.url}/#/workers`;
    await step(page.goto(workersUrl, { waitUntil: 'load', timeout: 30000 }));
    await step(
      expectWithin(
        page.locator('#workers tbody tr').first().waitFor({ state: 'attached', timeout: ROW_TIMEOUT_MS }),
        `${workersUrl} lists no worker (no #workers tbody tr) within ${ROW_TIMEOUT_MS / 1000} s`,
      ),
    );
    await step(shoot('workers.png', true));

    if (pageProblem) throw pageProblem;
    return { first_progress: firstProgress, later_progress: laterProgress, screenshots };
  } catch (err) {
    if (page && !page.isClosed()) {
      try {
        await page.screenshot({ path: path.join(outDir, 'failure.png'), fullPage: true, timeout: 10000 });
      } catch (_) {
        // no failure screenshot then
      }
    }
    throw err;
  } finally {
    if (browser) {
      try {
        await browser.close();
      } catch (_) {
        // already gone
      }
    }
  }
}

function exitAfterWrite(stream, text, code) {
  stream.write(text, () => process.exit(code));
}

main().then(
  (result) => exitAfterWrite(process.stdout, JSON.stringify(result) + '\n', 0),
  (err) => {
    const message = err instanceof CheckError ? err.message : (err && err.stack) || String(err);
    exitAfterWrite(process.stderr, `dashboard_check: ${message}\n`, 1);
  },
);
