// <glip-detector> reads nothing from its host page but its own attributes and the image it was
// pointed at, checked at run time: a host page (served by the test, with a cookie, local and session
// storage, a password field and private text) loads the built widget with host-watch.ts's init
// script wrapping every way in, the widget detects with the shipped model, and afterwards nothing
// host-side was read and the only requests (page and worker) were the widget's own code, the model
// folder and the image. A second test shows the watch does catch each kind of read, and does not
// flag what a widget may do with itself.
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { INFERENCE_TIMEOUT } from './chromium.ts';
import { watchHost } from './host-watch.ts';

const HOST = 'isolation-host.html';
const MODEL = 'models/glip-nano/';
const IMAGE = 'examples/scene.png';
/** What the browser cannot let a script wrap: left to the source check (host-isolation.test.ts). */
const UNWRAPPABLE = ['window.document', 'window.location', 'window.top'];

function hostPage(head: string, widget: string): string {
  return `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><link rel="icon" href="data:,"><title>host title secret</title>${head}</head>
  <body>
    <h1 id="host-heading">A host page</h1>
    <form><input id="host-password" type="password" value="input-secret"></form>
    ${widget}
    <p class="host-private">private host text</p>
  </body>
</html>`;
}

/** Opens the host page with the watch installed; returns the live list of every request's URL (page and workers). */
async function openHost(page: Page, html: string): Promise<string[]> {
  const requests: string[] = [];
  page.context().on('request', (r) => requests.push(r.url()));
  await page.route(`**/${HOST}`, (route) => route.fulfill({ contentType: 'text/html', body: html }));
  await page.addInitScript(watchHost);
  await page.goto(HOST);
  return requests;
}

test('<glip-detector> reads nothing but its attributes, its shadow tree, the model and its image', async ({ page }) => {
  const widget = `<glip-detector id="w" src="${IMAGE}" prompt="brown square. green hexagon. brown cross." model="${MODEL}" threshold="0.4" alt="a scene"></glip-detector>`;
  const requests = await openHost(page, hostPage('<script type="module" src="./widget/glip-detector.js"></script>', widget));
  await page.waitForFunction(() => window.__hostWatch!.detections.w !== undefined || window.__hostWatch!.errors.length > 0, null, {
    timeout: INFERENCE_TIMEOUT,
    polling: 500,
  });
  const report = await page.evaluate(() => window.__hostWatch!.stop());
  const { detections, errors } = await page.evaluate(() => ({ detections: window.__hostWatch!.detections, errors: window.__hostWatch!.errors }));
  expect(errors).toEqual([]);
  expect(detections.w.length).toBeGreaterThan(0); // it really ran

  // Nothing the page loaded (the widget's module, its chunks) read the host; reads without a script
  // URL are the test harness's own (Playwright's main-world listeners), shown by the second test.
  expect(report.reads.filter((r) => r.by !== '')).toEqual([]);
  expect(report.reads.filter((r) => !(r.what === 'EventTarget.addEventListener' && r.detail.startsWith('window ')))).toEqual([]);
  expect(report.widgetAttributes).toEqual(['alt', 'model', 'prompt', 'src', 'threshold', 'tuned-prompt']);
  expect(report.unwrappable.sort()).toEqual(UNWRAPPABLE);

  const origin = new URL(page.url()).origin;
  const paths = requests.map((url) => (new URL(url).origin === origin ? new URL(url).pathname : url));
  const own = (path: string): boolean => path === `/${HOST}` || path.startsWith('/widget/') || path.startsWith(`/${MODEL}`) || path === `/${IMAGE}`;
  expect(paths.filter((p) => !own(p))).toEqual([]);
  expect(paths).toContain(`/${IMAGE}`);
  expect(paths).toContain(`/${MODEL}manifest.json`); // the worker's requests are in the log too
});

test('the host watch catches each kind of host read, and not a widget using its own element', async ({ page }) => {
  await page.route('**/nosy.js', (route) => route.fulfill({ contentType: 'text/javascript', body: 'void document.cookie; void localStorage.length;' }));
  const requests = await openHost(page, hostPage('<script src="./nosy.js"></script>', '<glip-detector id="w" src="own.png"></glip-detector>'));
  // A script the page loaded is named as the reader.
  const byNosy = (await page.evaluate(() => window.__hostWatch!.peek().reads)).filter((r) => r.by.endsWith('/nosy.js')).map((r) => r.what);
  expect(byNosy).toEqual(['Document.cookie', 'window.localStorage', 'Storage.length']);

  const result = await page.evaluate(() => {
    const watch = window.__hostWatch!;
    // A well-behaved element: its own attributes, shadow tree, detached nodes, events and URL resolution.
    class Polite extends HTMLElement {
      constructor() {
        super();
        const root = this.attachShadow({ mode: 'open' });
        const canvas = document.createElement('canvas');
        const status = document.createElement('p');
        root.append(canvas, status);
        status.textContent = `${this.getAttribute('src')} ${new URL('x.png', document.baseURI).pathname}`;
        void [root.querySelector('canvas'), canvas.parentNode, canvas.getBoundingClientRect(), status.textContent, root.host, this.isConnected];
        canvas.addEventListener('click', () => undefined);
        this.dispatchEvent(new CustomEvent('detections', { detail: [] }));
      }
    }
    const start = watch.peek().reads.length;
    customElements.define('glip-detector', Polite); // upgrades the element: Polite's constructor runs now
    const polite = watch.peek();
    const self = document.querySelector('glip-detector')!;

    const nosy: [string, () => unknown][] = [
      ['Document.cookie', () => document.cookie],
      ['window.localStorage', () => localStorage.getItem('host-token')],
      ['window.sessionStorage', () => sessionStorage.length],
      ['Document.querySelector', () => document.querySelector('.host-private')],
      ['Document.getElementById', () => document.getElementById('host-password')],
      ['Document.getElementsByTagName', () => document.getElementsByTagName('input')],
      ['Document.body', () => document.body],
      ['Document.documentElement', () => document.documentElement],
      ['Document.title', () => document.title],
      ['Document.referrer', () => document.referrer],
      ['Node.parentNode', () => self.parentNode],
      ['Element.closest', () => self.closest('body')],
      ['Element.previousElementSibling', () => self.previousElementSibling],
      ['Node.ownerDocument', () => self.ownerDocument],
      ['Node.getRootNode', () => self.getRootNode()],
      ['Node.textContent', () => self.shadowRoot!.host.parentElement!.textContent],
      ['EventTarget.addEventListener', () => window.addEventListener('message', () => undefined)],
      ['window.postMessage', () => window.postMessage('hello', '*')],
      ['window.fetch', () => fetch('not-the-model.json').catch(() => undefined)],
      ['window.XMLHttpRequest', () => new XMLHttpRequest()],
      ['window.BroadcastChannel', () => new BroadcastChannel('host').close()],
      ['Navigator.userAgent', () => navigator.userAgent],
      ['window.history', () => history.length],
    ];
    const caught = nosy.map(([label, read]) => {
      const before = watch.peek().reads.length;
      read();
      return { label, recorded: watch.peek().reads.slice(before).map((r) => r.what) };
    });
    return { politeReads: polite.reads.slice(start).map((r) => r.what), politeAttributes: polite.widgetAttributes, caught };
  });
  expect(result.politeReads).toEqual([]);
  expect(result.politeAttributes).toEqual(['src']);
  for (const { label, recorded } of result.caught) expect(recorded, label).toContain(label);
  await expect.poll(() => requests.some((url) => url.endsWith('/not-the-model.json'))).toBe(true); // and the network log sees it
});
