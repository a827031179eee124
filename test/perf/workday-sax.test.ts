/**
 * The one-pass SAX reader (xml-sax.ts) gives exactly the tree reader's output (parseXmlTree): on
 * every Workday fixture, on the vendor's recordings, on pages the simulator renders, and on random
 * documents mixing namespaces, prefixes, attributes, entities, CDATA and comments (property test).
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseXml, parseXmlTree, XmlReadError } from '../../connectors/workday/xml.js';
import { readWorkersPage } from '../../connectors/workday/soap.js';
import { renderWorker, workdayDataFromSample } from '../../connectors/workday/simulator.js';
import { rng, sampleOrg } from '../../src/simulator/sample-org.js';

const outcome = (f: (s: string) => unknown, text: string) => {
  try {
    return { ok: f(text) };
  } catch (e) {
    return { error: e instanceof XmlReadError ? e.code : String(e) };
  }
};
const same = (text: string, what: string) => expect(outcome(parseXml, text), what).toEqual(outcome(parseXmlTree, text));

// Generous timeouts: the tree reader is slow, and these run on a shared, loaded machine.
describe('Workday SAX reader = tree reader', { timeout: 180_000 }, () => {
  it('on every fixture', () => {
    const dir = path.resolve(__dirname, '../../fixtures/workday');
    const files = readdirSync(dir).filter((f) => f.endsWith('.xml'));
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) same(readFileSync(path.join(dir, f), 'utf8'), f);
  });

  it('on the vendor recordings (../shared)', (ctx) => {
    const dir = path.resolve(__dirname, '../../../shared/recordings/workday');
    if (!existsSync(dir)) return ctx.skip('../shared/recordings/workday is not beside the worktree');
    const files = readdirSync(dir).filter((f) => f.endsWith('.xml'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) same(readFileSync(path.join(dir, f), 'utf8'), f);
  });

  it('on simulator pages, and every worker reads the same', () => {
    for (const seed of [1, 7, 42]) {
      const data = workdayDataFromSample(sampleOrg({ size: 60, today: '2026-06-01', seed }));
      const page = `<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Body><wd:Get_Workers_Response xmlns:wd="urn:com.workday/bsvc" wd:version="v44.0"><wd:Response_Results><wd:Total_Results>60</wd:Total_Results><wd:Page_Results>60</wd:Page_Results></wd:Response_Results><wd:Response_Data>${data.workers.map((_, i) => renderWorker(data, i)).join('\n')}</wd:Response_Data></wd:Get_Workers_Response></env:Body></env:Envelope>`;
      same(page, `seed ${seed}`);
      expect(readWorkersPage(parseXml(page)).workers).toHaveLength(60);
    }
  });

  it('on random documents (property test, seeded)', () => {
    const NS = {
      wd: 'urn:com.workday/bsvc',
      env: 'http://schemas.xmlsoap.org/soap/envelope/',
      x: 'urn:example:x',
    } as const;
    const NAMES = ['Worker', 'ID', 'Name', 'Email_Address', 'Data', 'faultcode', 'detail', 'Fault', 'Body'];
    const TEXTS = [
      '',
      ' ',
      'plain',
      '  padded  ',
      'R&amp;D',
      '&lt;b&gt;',
      '&#233;t&#xE9;',
      '&quot;q&apos;',
      'line\nbreak',
      'ünï 🦄',
      '&amp;#x41;',
      '5',
    ];
    for (let seed = 1; seed <= 300; seed++) {
      const rand = rng(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
      const element = (depth: number): string => {
        const prefix = pick(['wd:', 'wd:', 'env:', 'x:', '', 'y:']);
        const name = prefix + pick(NAMES);
        const attrs: string[] = [];
        if (rand() < 0.2) attrs.push('xmlns:y="urn:example:y"');
        else if (prefix === 'y:') attrs.push('xmlns:y="urn:example:y2"');
        const attrNames = new Set<string>();
        for (let a = Math.floor(rand() * 3); a > 0; a--) {
          const an = pick(['wd:type', 'wd:Descriptor', 'type', 'x:flag', 'xml:lang', 'Primary']);
          if (attrNames.has(an)) continue;
          attrNames.add(an);
          attrs.push(`${an}="${pick(TEXTS).replace(/\n/g, '&#10;')}"`);
        }
        const open = `<${name}${attrs.length ? ' ' + attrs.join(' ') : ''}`;
        if (rand() < 0.15) return `${open}/>`;
        let body = '';
        const n = depth > 3 ? 0 : Math.floor(rand() * 4);
        if (n === 0 || rand() < 0.1) body += pick(TEXTS);
        for (let c = 0; c < n; c++) {
          body += rand() < 0.1 ? '<!-- note -->' : '';
          body += element(depth + 1);
          if (rand() < 0.1) body += pick(['\n  ', ' text ', '<![CDATA[ raw & <b> ]]>']);
        }
        if (rand() < 0.1) body += '<![CDATA[cdata]]>';
        return `${open}>${body}</${name}>`;
      };
      const doc = `<?xml version="1.0" encoding="UTF-8"?>\n<env:Envelope xmlns:env="${NS.env}" xmlns:wd="${NS.wd}" xmlns:x="${NS.x}"><env:Body>${element(0)}${element(0)}</env:Body></env:Envelope>`;
      same(doc, `seed ${seed}: ${doc}`);
      // Cut off anywhere: both refuse it.
      const cut = doc.slice(0, Math.floor(rand() * (doc.length - 1)) + 1);
      expect(outcome(parseXml, cut), `cut, seed ${seed}`).toEqual({ error: 'xml_malformed' });
    }
  });

  it('keeps refusing DOCTYPE/ENTITY, and names that could touch a prototype', () => {
    for (const body of ['<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', '<x><!ENTITY y "z"></x>']) {
      expect(outcome(parseXml, body)).toEqual({ error: 'xml_dtd_refused' });
    }
    for (const body of [
      '<a><__proto__>1</__proto__></a>',
      '<a><constructor>1</constructor></a>',
      '<a><prototype/></a>',
    ]) {
      expect(outcome(parseXml, body)).toEqual({ error: 'xml_malformed' });
      expect(({} as Record<string, unknown>)['1']).toBeUndefined();
    }
    // Prefixed elements and attributes so named are skipped, content and all, as the tree reader did.
    for (const body of [
      '<a><b constructor="1"/></a>',
      '<a><wd:prototype xmlns:wd="urn:com.workday/bsvc"/></a>',
      '<a xmlns:wd="urn:com.workday/bsvc"><wd:__proto__><wd:polluted>1</wd:polluted></wd:__proto__><wd:x>2</wd:x></a>',
      '<a xmlns:wd="urn:com.workday/bsvc"><wd:Field wd:constructor="1" __proto__="2">v</wd:Field></a>',
    ]) {
      same(body, body);
      expect(JSON.stringify(parseXml(body))).not.toContain('polluted');
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    }
    // Other named entities are never expanded: kept as written, as before; broken references are refused.
    for (const body of ['<a>&nbsp;</a>', '<a b="&nbsp;&amp;"/>', '<a>&#0;&#xD800;</a>']) same(body, body);
    expect(outcome(parseXml, '<a>&nbsp;</a>')).toEqual({ ok: { '{}a': '&nbsp;' } });
    for (const body of ['<a>&#X41;</a>', '<a>a & b</a>', '<a>&bogus</a>'])
      expect(outcome(parseXml, body)).toEqual({ error: 'xml_malformed' });
  });
});
