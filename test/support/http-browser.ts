/** One response as a browser saw it. */
export interface Page {
  url: string;
  status: number;
  location: string | undefined;
  text: string;
}

interface Cookie {
  value: string;
  path: string;
}

/**
 * Just enough of a browser to follow a sign-in across servers with plain HTTP: fetch with
 * manual redirects and a cookie jar per origin (scheme, host and port).
 */
export class HttpBrowser {
  readonly #jars = new Map<string, Map<string, Cookie>>();

  #jar(url: URL): Map<string, Cookie> {
    let jar = this.#jars.get(url.origin);
    if (!jar) {
      jar = new Map();
      this.#jars.set(url.origin, jar);
    }
    return jar;
  }

  #store(url: URL, setCookies: string[]): void {
    const jar = this.#jar(url);
    for (const header of setCookies) {
      const [pair = '', ...attributes] = header.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      if (eq < 1) continue;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = '/';
      let expired = value === '';
      for (const attribute of attributes) {
        const [key = '', val = ''] = attribute.split('=');
        const k = key.toLowerCase();
        if (k === 'path' && val.startsWith('/')) path = val;
        if (k === 'max-age' && Number(val) <= 0) expired = true;
        if (k === 'expires' && Date.parse(val) <= Date.now()) expired = true;
      }
      if (expired) jar.delete(name);
      else jar.set(name, { value, path });
    }
  }

  #cookieHeader(url: URL): string | undefined {
    const cookies = [...this.#jar(url)]
      .filter(([, c]) => url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map(([name, c]) => `${name}=${c.value}`);
    return cookies.length ? cookies.join('; ') : undefined;
  }

  /** One GET, without following a redirect. */
  async get(address: string | URL): Promise<Page> {
    const url = new URL(address);
    const cookie = this.#cookieHeader(url);
    const res = await fetch(url, {
      redirect: 'manual',
      headers: { accept: 'text/html', ...(cookie ? { cookie } : {}) },
    });
    this.#store(url, res.headers.getSetCookie());
    const location = res.headers.get('location') ?? undefined;
    return {
      url: url.href,
      status: res.status,
      location: location === undefined ? undefined : new URL(location, url).href,
      text: await res.text(),
    };
  }

  /**
   * GETs and follows redirects, like a browser, until a page that is not a redirect. `intercept`
   * sees each address before it is requested and may change it (to tamper with a response).
   */
  async follow(address: string | URL, intercept?: (url: URL) => URL, maxHops = 20): Promise<{ page: Page; hops: string[] }> {
    const hops: string[] = [];
    let next = new URL(address);
    for (let i = 0; i < maxHops; i += 1) {
      if (intercept) next = intercept(next);
      hops.push(next.href);
      const page = await this.get(next);
      if (page.status < 300 || page.status >= 400 || !page.location) return { page, hops };
      next = new URL(page.location);
    }
    throw new Error(`Too many redirects: ${hops.join(' -> ')}`);
  }
}
