// xterm.js writes its theme, cell sizes and scrollbar colours into <style> elements it creates, and
// some cells' colours through `setAttribute("style", …)`. The studio's Content-Security-Policy
// (`style-src 'self'`) refuses both, which would leave the screen unstyled and report a violation
// each time. Handed to xterm as its `documentOverride`, this document gives it stand-ins instead:
// the <style> text goes into constructed style sheets (CSSOM, which the policy allows) adopted by
// the page, and style attributes of the spans it makes are set through `style.cssText`.
// xterm 6's row renderer makes its cells with the global `document` whatever the override says,
// and colours selected cells (and 24-bit colours) through style attributes: `routeRowsThrough`
// points it at this document too. It reaches into xterm's internals, so the version is pinned and
// e2e/tests/terminals.spec.ts fails on any violation while selecting.

/** The document to give xterm, and what ends the style sheets it made when the terminal goes. */
export interface StyleSafeDocument {
  document: Document;
  /**
   * Runs `callback` (xterm's `open`) with the real document's `createElement` giving the same
   * stand-ins: xterm 6 creates its scrollbar's <style> through `window.document` whatever the
   * override says.
   */
  during: (callback: () => void) => void;
  dispose: () => void;
}

export function styleSafeDocument(target: Document = document): StyleSafeDocument {
  // The prototype's, not the document's own: `during` replaces the latter for a moment.
  const create = (tag: string, options?: ElementCreationOptions): HTMLElement =>
    Document.prototype.createElement.call(target, tag, options);
  const sheets = new Set<CSSStyleSheet>();
  const adopt = (sheet: CSSStyleSheet) => {
    sheets.add(sheet);
    target.adoptedStyleSheets = [...target.adoptedStyleSheets, sheet];
  };
  const drop = (sheet: CSSStyleSheet) => {
    sheets.delete(sheet);
    target.adoptedStyleSheets = target.adoptedStyleSheets.filter((each) => each !== sheet);
  };

  /** An inert element that holds a style sheet's text where xterm expects a <style>. */
  const styleStandIn = (): HTMLElement => {
    const element = create("template");
    element.dataset.xtermStyle = "";
    const sheet = new CSSStyleSheet();
    let text = "";
    adopt(sheet);
    Object.defineProperty(element, "textContent", {
      configurable: true,
      get: () => text,
      set: (value: string | null) => {
        text = value ?? "";
        sheet.replaceSync(text);
      },
    });
    const remove = element.remove.bind(element);
    element.remove = () => {
      drop(sheet);
      remove();
    };
    return element;
  };

  /** A cell whose inline style (a truecolour) is set through the CSSOM rather than as an attribute. */
  const withStyleProperty = (element: HTMLElement): HTMLElement => {
    const setAttribute = element.setAttribute.bind(element);
    element.setAttribute = (name: string, value: string) => {
      if (name.toLowerCase() === "style") element.style.cssText = value;
      else setAttribute(name, value);
    };
    return element;
  };

  const createElement = (tag: string, options?: ElementCreationOptions) => {
    const name = tag.toLowerCase();
    if (name === "style") return styleStandIn();
    const element = create(tag, options);
    return name === "span" ? withStyleProperty(element) : element;
  };

  const proxy = new Proxy(target, {
    get(document, key) {
      if (key === "createElement") return createElement;
      const value = Reflect.get(document, key, document) as unknown;
      // Methods run on the real document (a proxy is not one, for the browser's own code).
      return typeof value === "function" ? value.bind(document) : value;
    },
  });
  return {
    document: proxy,
    during: (callback) => {
      const own = Object.getOwnPropertyDescriptor(target, "createElement");
      Object.defineProperty(target, "createElement", {
        configurable: true,
        writable: true,
        value: createElement,
      });
      try {
        callback();
      } finally {
        if (own) Object.defineProperty(target, "createElement", own);
        else delete (target as { createElement?: unknown }).createElement;
      }
    },
    dispose: () => {
      for (const sheet of [...sheets]) drop(sheet);
    },
  };
}

interface RowFactoryHolder {
  _core?: { _renderService?: { _renderer?: { value?: { _rowFactory?: { _document?: Document } } } } };
}

/**
 * Points the DOM renderer's row factory at `document` (the style-safe one). Returns whether it
 * could: on another xterm version it may not, and selections then show no highlight.
 */
export function routeRowsThrough(terminal: object, document: Document): boolean {
  const factory = (terminal as RowFactoryHolder)._core?._renderService?._renderer?.value?._rowFactory;
  if (!factory || !("_document" in factory)) return false;
  factory._document = document;
  return true;
}
