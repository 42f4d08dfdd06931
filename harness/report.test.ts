import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigFinding } from '../configcheck/index';
import { computeCost, GATEWAY_ONLY } from '../cost/index';
import { latencyChartSvg, niceTicks, tickLabel } from './chart';
import { escapeHtml, formatMs, safeHref } from './html';
import {
  estimatePageHeight,
  formatMetric,
  renderConsoleSummary,
  renderReportHtml,
  writeReport,
} from './report';
import type { RunSummary } from './results';
import {
  accessResult,
  failedRunSummary,
  faultRoundResult,
  loadResult,
  logCheckResult,
  newmanResult,
  runSummary,
  steps,
} from './test/fixtures';

/** The attributes of the first element whose opening tag matches `selector` (an id or data attribute). */
function tagWith(html: string, attribute: string): string {
  const match = new RegExp(`<[a-z]+[^>]*${attribute}[^>]*>`).exec(html);
  if (!match) throw new Error(`no element with ${attribute}`);
  return match[0];
}

describe('the report page’s configuration and cost sections', () => {
  const finding = (rule: ConfigFinding['rule'], property: string, value: string): ConfigFinding => ({
    rule,
    resource: 'Function76856677',
    property,
    value,
    limit: 'the rule’s limit',
    message: `Function76856677 (PetsStack/Function/Resource) ${rule} finding`,
  });
  const failure = finding('timeout', 'Timeout', '30 s');
  const accepted = finding('memory', 'MemorySize', '1024 MB');

  it('names each configuration finding, and lists the accepted ones with their reasons', () => {
    const html = renderReportHtml(
      runSummary({
        configuration: {
          passed: false,
          template: 'cdk.out/PetsStack.template.json',
          acceptanceFile: 'configuration-accepted.json',
          failures: [failure],
          accepted: [{ finding: accepted, reason: 'a whole vCPU for POST /pets' }],
          unusedAcceptances: [
            { rule: 'log-retention', resource: 'AccessLogGroup', reason: 'kept for audits' },
          ],
          rejectedAcceptances: [],
          notJudged: [],
        },
      }),
    );

    expect(tagWith(html, 'id="configuration"')).toContain('data-verdict="failed"');
    expect(html).toContain(
      '<li><strong>timeout</strong>: Function76856677 (PetsStack/Function/Resource) timeout finding</li>',
    );
    expect(html).toContain('<td class="detail">a whole vCPU for POST /pets</td>');
    expect(html).toContain('log-retention on AccessLogGroup is accepted but found nothing there');
  });

  it('shows what the run’s requests cost by the check that sent them and per route', () => {
    const cost = computeCost({
      requestsSent: { newman: 58, k6: 412, fuzz: 130 },
      requestsByRoute: { 'GET /pets': 400, 'GET /pets/{id}': 190 },
      lambda: { invocations: 590, gbSeconds: 1, architecture: 'arm64' },
      logs: { events: 2360, bytes: 470_000 },
    });

    const html = renderReportHtml(runSummary({ cost }));

    expect(html).toContain('600 requests (newman 58, k6 412, fuzz 130)');
    expect(html).toContain('<tr><td>GET /pets</td><td class="num">400</td>');
    expect(html).toContain(`<tr><td>${GATEWAY_ONLY}</td><td class="num">10</td>`);
  });
});

describe('the report page', () => {
  it('shows a green verdict banner and every step as passed when the run passed', () => {
    const html = renderReportHtml(runSummary());

    expect(tagWith(html, 'id="verdict"')).toContain('data-verdict="passed"');
    expect(html).toContain('All checks passed');
    for (const id of ['tools', 'dynamodb', 'seed', 'bundle', 'stage', 'newman', 'load', 'fuzz', 'logcheck']) {
      expect(tagWith(html, `id="step-${id}"`)).toContain('data-verdict="passed"');
    }
  });

  it("names the Node the function's environments ran on beside the harness's own", () => {
    const html = renderReportHtml(runSummary());
    expect(html).toContain('<dt>node</dt><dd>v20.19.0 on linux x64</dd>');
    expect(html).toContain('<dt>function node</dt><dd>v22.23.5</dd>');
  });

  it('names the DynamoDB provider, its container image and endpoint', () => {
    const html = renderReportHtml(runSummary());
    expect(html).toContain(
      '<dt>DynamoDB</dt><dd>container pets-harness/dynalite:0123456789ab at http://127.0.0.1:40110</dd>',
    );
  });

  it('names the failed checks and their details in the banner when a check failed', () => {
    const html = renderReportHtml(failedRunSummary());

    expect(tagWith(html, 'id="verdict"')).toContain('data-verdict="failed"');
    expect(html).toContain('newman: 2 of 214 assertions failed');
    expect(html).toContain('log check: 1 violation');
    expect(tagWith(html, 'id="step-newman"')).toContain('data-verdict="failed"');
    expect(tagWith(html, 'id="step-load"')).toContain('data-verdict="passed"');
    expect(html).toContain('exit 1');
  });

  it('says the harness could not run, and why, when the verdict is error', () => {
    const summary = runSummary({
      verdict: 'error',
      exitCode: 2,
      problem: 'stage: port 3000 is taken. Run with --port 0.',
      steps: steps({ stage: { verdict: 'error', detail: 'port 3000 is taken' } }),
    });
    delete summary.newman;
    delete summary.load;
    delete summary.logCheck;

    const html = renderReportHtml(summary);

    expect(tagWith(html, 'id="verdict"')).toContain('data-verdict="error"');
    expect(html).toContain('The harness could not run');
    expect(html).toContain('port 3000 is taken. Run with --port 0.');
    expect(html).toContain('The Postman collection did not run in this run.');
  });

  it('lists the newman folders with their counts and the failed assertions', () => {
    const html = renderReportHtml(failedRunSummary());

    expect(html).toMatch(
      /<tr data-verdict="failed"><td>create a pet<\/td><td class="num">17<\/td><td class="num">66<\/td><td class="num">2<\/td>/,
    );
    expect(html).toContain('expected response to have status code 409 but got 500');
  });

  it('charts and tabulates p50, p95 and p99 per k6 route and links the k6 dashboard', () => {
    const html = renderReportHtml(runSummary());

    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg" class="chart"');
    expect(html).toContain('POST /pets p99: 30.3 ms');
    expect(html).toMatch(
      /<td>POST \/pets<\/td><td class="num">41<\/td><td class="num">4.1<\/td><td class="num">7.90 ms<\/td><td class="num">16.5 ms<\/td><td class="num">30.3 ms<\/td>/,
    );
    expect(html).toContain('<a href="k6-dashboard.html">Open the k6 dashboard</a>');
  });

  it('shows log-check violations with their request ids and metrics against their budgets', () => {
    const summary = failedRunSummary();
    summary.logCheck = logCheckResult({
      passed: false,
      metrics: { durationP95Ms: 1250, coldStarts: 2 },
      violations: [
        {
          check: 'duration p95',
          message: 'Duration p95 1250 ms is over the budget of 1000 ms',
          requestIds: ['req-1', 'req-2'],
        },
      ],
    });
    summary.budgets = { durationP95Ms: 1000 };

    const html = renderReportHtml(summary);

    expect(html).toContain(
      '<strong>duration p95</strong>: Duration p95 1250 ms is over the budget of 1000 ms',
    );
    expect(html).toContain('<code>req-1</code> <code>req-2</code>');
    expect(html).toMatch(
      /<tr class="over"><td>Duration p95<\/td><td class="num">1.25 s<\/td><td class="num">≤ 1.00 s<\/td><td><span class="badge failed">failed<\/span>/,
    );
  });

  it('lists the first 25 failed assertions and links the newman report for the rest', () => {
    const summary = failedRunSummary();
    summary.newman = newmanResult({
      passed: false,
      failures: Array.from({ length: 40 }, (_, i) => ({
        folder: 'Validation',
        request: `request ${i}`,
        assertion: 'status is 400',
        message: 'got 502',
      })),
    });

    const html = renderReportHtml(summary);

    expect(html).toContain('request 24');
    expect(html).not.toContain('request 25<');
    expect(html).toContain('and 15 more in <a href="newman.html">the newman report</a>');
  });

  it('leaves routes k6 never reached out of the chart and the slowest-route figure', () => {
    const summary = runSummary({
      load: loadResult({
        passed: false,
        routes: [
          { route: 'never-called', count: 0, rps: 0, p50: 0, p95: 0, p99: 0, failedRate: 0 },
          { route: 'list', count: 3, rps: 1, p50: 5, p95: 8, p99: 9, failedRate: 0 },
        ],
      }),
    });

    const html = renderReportHtml(summary);
    const chart = html.slice(html.indexOf('<svg'), html.indexOf('</svg>'));

    expect(chart).not.toContain('never-called');
    expect(chart).toContain('list');
    expect(html).toContain('<div class="value">8 ms</div><div class="label">slowest route p95</div>');
  });

  it('grids every route against every fault, marks a wrong answer with its problems, and says what became of the table', () => {
    const round = faultRoundResult();
    const wrong = {
      ...(round.probes[0] as (typeof round.probes)[number]),
      status: 500,
      problems: ['answered 500, not 503'],
    };
    const html = renderReportHtml(
      runSummary({ faults: { ...round, passed: false, probes: [wrong, ...round.probes.slice(1)] } }),
    );

    expect(tagWith(html, 'id="faults"')).toContain('data-verdict="failed"');
    expect(html.match(/<td class="num[^"]*" data-verdict="[a-z]+"/g)).toHaveLength(4);
    expect(tagWith(html, 'data-verdict="failed" title=')).toContain('title="answered 500, not 503"');
    expect(html).toContain('<strong>GET /pets</strong> with DynamoDB <code>throttling</code>');
    expect(html).toContain('left the table as it found it (20 pets before and after, read through the API)');
  });

  it('tabulates the DynamoDB calls per route and marks a route the rules found', () => {
    const access = accessResult();
    const finding = {
      route: 'GET /pets?type=',
      rule: 'scan-with-key' as const,
      message: 'GET /pets?type=: 10 Scan calls',
    };
    const html = renderReportHtml(runSummary({ access: { ...access, passed: false, findings: [finding] } }));

    expect(tagWith(html, 'id="access"')).toContain('data-verdict="failed"');
    expect(html).toContain('<li><strong>scan-with-key</strong>: GET /pets?type=: 10 Scan calls</li>');
    expect(html).toContain('<tr class="over"><td><code>GET /pets?type=</code></td>');
    expect(html).toContain(
      '<td>Query type-index ×10</td><td class="num">60 / 60<span class="sub">1.00 per item returned</span>',
    );
  });

  it('says the DynamoDB sections did not run when the target gave them nothing to judge', () => {
    const html = renderReportHtml(runSummary());

    expect(html).toContain('The fault round did not run in this run.');
    expect(html).toContain('The access patterns were not judged in this run.');
  });

  it('links every raw report by its relative path', () => {
    const html = renderReportHtml(runSummary());

    for (const file of ['newman-junit.xml', 'newman.html', 'k6-summary.json', 'logcheck.json']) {
      expect(html).toContain(`href="${file}"`);
    }
  });

  it('needs nothing from the network: no script, no external stylesheet, image or font', () => {
    const html = renderReportHtml(failedRunSummary());

    expect(html).not.toMatch(/<script|<link|<img|@import|url\(/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('escapes hostile strings from every part so none becomes markup or a script link', () => {
    const evil = '<script>alert(1)</script>"\'><img src=x onerror=alert(2)>';
    const summary = runSummary({
      runId: 'run-1',
      steps: steps({ newman: { detail: evil, label: evil } }),
      newman: newmanResult({
        folders: [{ name: evil, requests: 1, assertions: 1, failed: 1 }],
        failures: [{ folder: evil, request: evil, assertion: evil, message: evil }],
      }),
      load: loadResult({
        explanation: evil,
        thresholdsFailed: [evil],
        routes: [{ route: evil, count: 1, rps: 1, p50: 1, p95: 2, p99: 3, failedRate: 0 }],
      }),
      logCheck: logCheckResult({
        source: evil,
        violations: [{ check: evil, message: evil, requestIds: [evil] }],
        errors: [{ requestId: evil, line: evil }],
        metrics: { [evil]: 1 },
        completeness: { found: 1, byStatusClass: { [evil]: 1 } },
      }),
      reports: { [evil]: 'javascript:alert(3)', 'evil-path': '../"><script>x</script>' },
      warnings: [evil],
      faults: faultRoundResult({
        probes: faultRoundResult().probes.map((probe) => ({ ...probe, route: evil, problems: [evil] })),
        table: { petsBefore: 1, petsAfter: 2, unchanged: false, differences: [evil] },
      }),
      access: accessResult({
        routes: accessResult().routes.map((route) => ({ ...route, route: evil, operations: { [evil]: 1 } })),
        findings: [{ route: evil, rule: 'reads-per-item', message: evil }],
      }),
    });
    summary.environment.baseUrl = evil;

    const html = renderReportHtml(summary);

    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toMatch(/href="[^"]*javascript:/i);
    expect(html).toContain(
      '&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&gt;&lt;img src=x onerror=alert(2)&gt;',
    );
    expect(html).toContain('href="#"');
    expect(html).toContain('href="../%22%3E%3Cscript%3Ex%3C/script%3E"');
  });
});

describe('summary.json and the console', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'harness-report-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes index.html and a summary.json that round-trips the run summary', () => {
    const summary = failedRunSummary();

    const written = writeReport(summary, dir);

    expect(readFileSync(written.html, 'utf8')).toContain('data-verdict="failed"');
    const parsed = JSON.parse(readFileSync(written.json, 'utf8')) as RunSummary;
    expect(parsed).toEqual(summary);
    expect(parsed.failedChecks).toEqual(['newman', 'log check']);
  });

  it('ends the console table with the verdict, naming the failed checks last', () => {
    const text = renderConsoleSummary(failedRunSummary(), '/reports/run-1/index.html');
    const lines = text.split('\n');

    expect(lines.at(-1)).toBe('FAILED (exit 1): newman, log check failed');
    expect(text).toContain('Report: /reports/run-1/index.html');
    expect(lines.find((line) => line.startsWith('✖ newman'))).toContain('2 of 214 assertions failed');
  });

  it.each([
    [runSummary(), 'PASSED in 39.0 s (exit 0)'],
    [
      runSummary({ verdict: 'error', exitCode: 2, problem: 'no AWS credentials' }),
      'COULD NOT RUN (exit 2): no AWS credentials',
    ],
    [
      runSummary({ verdict: 'error', exitCode: 143, stoppedBy: 'SIGTERM', problem: 'stopped by SIGTERM' }),
      'STOPPED (exit 143): stopped by SIGTERM',
    ],
  ])('ends the console table with one verdict line (%#)', (summary, last) => {
    expect(renderConsoleSummary(summary, 'index.html').split('\n').at(-1)).toBe(last);
  });

  it('sizes the screenshot window to the page: more rows, a taller window', () => {
    const small = runSummary();
    const large = failedRunSummary();
    large.load = loadResult({
      routes: Array.from({ length: 12 }, (_, i) => ({
        route: `GET /r${i}`,
        count: 1,
        rps: 1,
        p50: 1,
        p95: 2,
        p99: 3,
        failedRate: 0,
      })),
    });

    expect(estimatePageHeight(large)).toBeGreaterThan(estimatePageHeight(small));
  });
});

describe('report formatting', () => {
  it.each([
    [0.5, '0.50 ms'],
    [9, '9 ms'],
    [12.345, '12.3 ms'],
    [250.4, '250 ms'],
    [1500, '1.50 s'],
    [39_000, '39.0 s'],
    [125_000, '2m 5s'],
    [Number.NaN, '–'],
  ])('formats %p ms as %p', (ms, text) => {
    expect(formatMs(ms)).toBe(text);
  });

  it.each([
    ['durationP95Ms', 70.79, '70.8 ms'],
    ['maxMemoryUsedMb', 68, '68 MB'],
    ['maxMemoryUsedPct', 26.56, '26.56%'],
    ['coldStarts', 1, '1'],
    ['durationP95Ms', Number.NaN, '–'],
  ])('formats metric %s = %p as %p', (name, value, text) => {
    expect(formatMetric(name, value)).toBe(text);
  });

  it.each([
    [101, [0, 50, 100, 150]],
    [30.3, [0, 10, 20, 30, 40]],
    [0, [0, 1]],
    [4200, [0, 1000, 2000, 3000, 4000, 5000]],
  ])('puts gridlines for a maximum of %p at %p', (max, ticks) => {
    expect(niceTicks(max)).toEqual(ticks);
  });

  it.each([
    [0, '0'],
    [50, '50 ms'],
    [1500, '1.5 s'],
  ])('labels the axis tick %p as %p', (ms, label) => {
    expect(tickLabel(ms)).toBe(label);
  });

  it('draws three bars per route, each as wide as its value on one scale', () => {
    const svg = latencyChartSvg([
      { route: 'a', p50: 10, p95: 20, p99: 40 },
      { route: 'b', p50: 5, p95: 10, p99: 20 },
    ]);
    const widths = [...svg.matchAll(/<rect x="230" y="\d+" width="([\d.]+)" height="13"/g)].map((m) =>
      Number(m[1]),
    );

    expect(widths).toHaveLength(6);
    expect(widths[1]! / widths[0]!).toBeCloseTo(2);
    expect(widths[2]! / widths[5]!).toBeCloseTo(2);
  });

  it('says so in the chart when no request was measured', () => {
    expect(latencyChartSvg([])).toContain('no requests were measured');
  });

  it.each([
    ['k6-dashboard.html', 'k6-dashboard.html'],
    ['sub dir/a#b.html', 'sub%20dir/a%23b.html'],
    ['https://example.com/x?a=1&b=2', 'https://example.com/x?a=1&amp;b=2'],
    ['javascript:alert(1)', '#'],
    ['JavaScript:alert(1)', '#'],
    ['data:text/html,<b>', '#'],
    ['//evil.example/x', '#'],
  ])('makes the link target %p safe as %p', (target, href) => {
    expect(safeHref(target)).toBe(href);
  });

  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});
