// A page init script (`page.addInitScript(watchHost)`) that records what scripts on the page read
// from their host page, for e2e/widget-isolation.spec.ts. It plants host secrets (a cookie, local and
// session storage), then wraps, in the page's main world, every API through which a script could
// read the host: the document's own properties and queries; DOM traversal and reads on any node of
// the host's tree (a node whose root is the document and that is not a <glip-detector>), and any
// DOM call that hands back such a node; cookies and storage; listeners on the window, the document or
// host nodes; postMessage and BroadcastChannel; page-side fetch/XHR/beacons/sockets; navigator
// properties; history and window.name. A <glip-detector>'s own attributes (recorded by name), its
// shadow tree and the detached nodes it creates are its own and not flagged. Properties the browser
// makes unforgeable (`location`, `top`, `window.document`) cannot be wrapped: they are listed in
// `unwrappable` and left to the source check (packages/widget/src/host-isolation.test.ts). Each read
// names the script that made it (`by`), so the test harness's own evaluations (Playwright installs
// window listeners in the main world) are told apart from scripts the page loaded.
// The function is serialised into the page: it must not refer to anything outside itself.

export interface HostRead {
  /** The API, e.g. `Document.cookie` or `Node.parentNode`. */
  what: string;
  /** What it was called with or on, when that says more. */
  detail: string;
  /** URL of the script whose code made the read (the innermost stack frame with an http(s) or blob URL); '' for code without one (test harness evaluations). */
  by: string;
}

export interface HostWatchReport {
  reads: HostRead[];
  /** Attribute names read from <glip-detector> elements through getAttribute/hasAttribute. */
  widgetAttributes: string[];
  /** APIs that could not be wrapped. */
  unwrappable: string[];
}

export interface HostWatch {
  /** What was recorded so far (recording goes on). */
  peek(): HostWatchReport;
  /** Stops recording and returns what was recorded. */
  stop(): HostWatchReport;
  /** `detail` of each `detections` event, by the emitting element's id. */
  detections: Record<string, unknown[]>;
  /** Messages of `error` events from <glip-detector> elements. */
  errors: string[];
}

declare global {
  interface Window {
    __hostWatch?: HostWatch;
  }
}

export function watchHost(): void {
  // Host secrets, planted before anything else runs.
  document.cookie = 'host-session=cookie-secret; path=/';
  localStorage.setItem('host-token', 'local-secret');
  sessionStorage.setItem('host-draft', 'session-secret');

  const reads: HostRead[] = [];
  const widgetAttributes = new Set<string>();
  const unwrappable: string[] = [];
  let armed = true;

  const report = (): HostWatchReport => ({ reads: reads.slice(), widgetAttributes: [...widgetAttributes].sort(), unwrappable: unwrappable.slice() });
  const watch: HostWatch = {
    peek: report,
    stop: () => {
      armed = false;
      return report();
    },
    detections: {},
    errors: [],
  };
  Object.defineProperty(window, '__hostWatch', { value: watch });
  // The test's own listeners, registered before anything is wrapped.
  document.addEventListener('detections', (e) => void (watch.detections[(e.target as Element).id] = (e as CustomEvent<unknown[]>).detail), true);
  document.addEventListener('error', (e) => {
    if (e instanceof CustomEvent) watch.errors.push(`${(e.target as Element).id}: ${String(e.detail)}`);
  }, true);

  const getRootNode = Node.prototype.getRootNode;
  const localName = Object.getOwnPropertyDescriptor(Element.prototype, 'localName')!.get!;
  const isWidget = (v: unknown): boolean => v instanceof Element && localName.call(v) === 'glip-detector';
  /** The window, the document, and nodes of the document's tree other than widgets. */
  const isHost = (v: unknown): boolean => {
    if (v === window || v === document) return true;
    return v instanceof Node && !isWidget(v) && getRootNode.call(v) === document;
  };
  const holdsHost = (v: unknown): boolean => {
    if (isHost(v)) return true;
    if (v instanceof NodeList || v instanceof HTMLCollection) return Array.prototype.some.call(v, isHost);
    return false;
  };
  const describe = (v: unknown): string => {
    if (v === window) return 'window';
    if (v === document) return 'document';
    if (v instanceof Element) return `<${localName.call(v)}>`;
    if (v instanceof Node) return v.constructor.name;
    return typeof v === 'string' ? JSON.stringify(v.slice(0, 80)) : String(v);
  };
  const record = (what: string, detail: string): void => {
    if (!armed) return;
    armed = false; // describing a node must not record itself
    try {
      const by = /((?:https?|blob):[^\s)]+?)(?::\d+)+\)?$/m.exec(new Error().stack ?? '')?.[1] ?? '';
      reads.push({ what, detail, by });
    } finally {
      armed = true;
    }
  };

  /** Where `name` is defined on `target` or its prototype chain. */
  const ownerOf = (target: object, name: string): { owner: object; descriptor: PropertyDescriptor } | null => {
    for (let o: object | null = target; o; o = Object.getPrototypeOf(o)) {
      const descriptor = Object.getOwnPropertyDescriptor(o, name);
      if (descriptor) return { owner: o, descriptor };
    }
    return null;
  };

  type Judge = (self: unknown, args: unknown[], result: unknown) => string | null;
  /** Wraps a getter/setter or method so that `judge` decides, per use, whether it read the host. */
  const wrap = (target: object, name: string, label: string, judge: Judge): void => {
    const found = ownerOf(target, name);
    if (!found) return; // not in this browser: nothing to read through
    if (!found.descriptor.configurable) {
      unwrappable.push(label);
      return;
    }
    const { owner, descriptor } = found;
    const check = (self: unknown, args: unknown[], result: unknown): void => {
      if (!armed) return;
      const verdict = judge(self, args, result);
      if (verdict !== null) record(label, verdict);
    };
    if (descriptor.get || descriptor.set) {
      const { get, set } = descriptor;
      Object.defineProperty(owner, name, {
        ...descriptor,
        get: get && function (this: unknown) {
          const value = get.call(this);
          check(this, [], value);
          return value;
        },
        set: set && function (this: unknown, value: unknown) {
          check(this, [value], undefined);
          set.call(this, value);
        },
      });
    } else if (typeof descriptor.value === 'function') {
      const original = descriptor.value as (...args: unknown[]) => unknown;
      const wrapped = function (this: unknown, ...args: unknown[]): unknown {
        const result: unknown = new.target ? Reflect.construct(original, args, new.target) : original.apply(this, args);
        check(this, args, result);
        return result;
      };
      Object.defineProperty(wrapped, 'name', { value: original.name });
      if (original.prototype) wrapped.prototype = original.prototype;
      Object.defineProperty(owner, name, { ...descriptor, value: wrapped });
    } else unwrappable.push(label);
  };

  /** Any use reads the host. */
  const always: Judge = (self, args) => `${describe(self)}${args.length ? ` (${args.map(describe).join(', ')})` : ''}`;
  /** Reads the host when used on a host object or when it hands back a host node. */
  const onHost: Judge = (self, args, result) => {
    if (isHost(self)) return `on ${describe(self)}`;
    if (holdsHost(result)) return `returned ${describe(result instanceof Node ? result : (result as ArrayLike<unknown>)[0])}`;
    return null;
  };
  /** getAttribute & co.: a widget's own attributes are recorded by name, anything else judged by `onHost`. */
  const attribute: Judge = (self, args, result) => {
    if (isWidget(self) && typeof args[0] === 'string') {
      widgetAttributes.add(args[0]);
      return null;
    }
    return onHost(self, args, result);
  };

  // The document itself: everything but creating detached nodes and resolving URLs (document.baseURI).
  for (const name of [
    'cookie', 'body', 'head', 'documentElement', 'activeElement', 'scrollingElement', 'forms', 'images', 'links', 'scripts',
    'anchors', 'embeds', 'plugins', 'all', 'children', 'firstElementChild', 'lastElementChild', 'title', 'referrer', 'domain',
    'URL', 'documentURI', 'lastModified', 'defaultView', 'styleSheets', 'adoptedStyleSheets', 'fullscreenElement', 'currentScript',
    'querySelector', 'querySelectorAll', 'getElementById', 'getElementsByTagName', 'getElementsByTagNameNS', 'getElementsByClassName',
    'getElementsByName', 'elementFromPoint', 'elementsFromPoint', 'createTreeWalker', 'createNodeIterator', 'evaluate', 'getSelection',
    'hasFocus', 'open', 'write', 'writeln', 'execCommand',
  ]) wrap(Document.prototype, name, `Document.${name}`, (self, args) => (self === document ? always(self, args, undefined) : null));

  // Traversal and reads on nodes: flagged on host nodes, or when they hand back a host node.
  for (const name of ['parentNode', 'parentElement', 'childNodes', 'firstChild', 'lastChild', 'previousSibling', 'nextSibling', 'ownerDocument', 'textContent', 'nodeValue', 'getRootNode']) {
    wrap(Node.prototype, name, `Node.${name}`, onHost);
  }
  for (const name of [
    'children', 'firstElementChild', 'lastElementChild', 'previousElementSibling', 'nextElementSibling', 'closest', 'querySelector',
    'querySelectorAll', 'getElementsByTagName', 'getElementsByClassName', 'innerHTML', 'outerHTML', 'attributes', 'getAttributeNames',
    'getAttributeNode', 'id', 'className', 'classList', 'shadowRoot', 'assignedSlot', 'getBoundingClientRect', 'checkVisibility',
  ]) wrap(Element.prototype, name, `Element.${name}`, onHost);
  for (const name of ['getAttribute', 'hasAttribute', 'getAttributeNS']) wrap(Element.prototype, name, `Element.${name}`, attribute);
  for (const name of ['innerText', 'outerText', 'offsetParent', 'dataset', 'title', 'style']) wrap(HTMLElement.prototype, name, `HTMLElement.${name}`, onHost);
  for (const name of ['value', 'form']) wrap(HTMLInputElement.prototype, name, `HTMLInputElement.${name}`, onHost);
  wrap(ShadowRoot.prototype, 'host', 'ShadowRoot.host', onHost);

  // Listening to the host: events on the window, the document or host nodes.
  wrap(EventTarget.prototype, 'addEventListener', 'EventTarget.addEventListener', (self, args) => (isHost(self) ? `${describe(self)} ${String(args[0])}` : null));
  for (const name of ['onmessage', 'onstorage', 'onhashchange', 'onpopstate', 'onkeydown', 'onpointermove']) wrap(window, name, `window.${name}`, always);

  // Storage, cookies, other windows, the user's environment, history.
  for (const name of ['localStorage', 'sessionStorage', 'indexedDB', 'caches', 'cookieStore', 'history', 'name', 'opener', 'parent', 'frames', 'frameElement', 'top', 'document', 'location']) {
    wrap(window, name, `window.${name}`, always);
  }
  for (const name of ['getItem', 'setItem', 'removeItem', 'key', 'clear', 'length']) wrap(Storage.prototype, name, `Storage.${name}`, always);
  for (const name of [
    'userAgent', 'userAgentData', 'language', 'languages', 'platform', 'plugins', 'mimeTypes', 'cookieEnabled', 'clipboard',
    'geolocation', 'mediaDevices', 'hardwareConcurrency', 'deviceMemory', 'connection', 'storage', 'serviceWorker', 'credentials',
    'permissions', 'keyboard', 'webdriver', 'vendor', 'appVersion', 'sendBeacon', 'gpu',
  ]) wrap(Navigator.prototype, name, `Navigator.${name}`, always);

  // Messages and requests made from the page (the worker's requests are seen by the network log).
  wrap(window, 'postMessage', 'window.postMessage', always);
  wrap(MessagePort.prototype, 'postMessage', 'MessagePort.postMessage', always);
  for (const name of ['fetch', 'XMLHttpRequest', 'WebSocket', 'EventSource', 'BroadcastChannel', 'SharedWorker']) wrap(window, name, `window.${name}`, always);
}
