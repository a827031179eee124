/**
 * Get_Workers paging: the page number travels in the SOAP body (`Response_Filter/Page`) and the walk
 * ends at `Response_Results/Total_Pages`. Each response is parsed once (records and the paginator
 * share it). It runs inside the core's `paginate`, so its guards apply too.
 */
import { createError } from '../../src/errors.js';
import type { HttpResponse } from '../../src/http/client.js';
import type { Paginator } from '../../src/pagination/index.js';
import { findFault, readWorkersPage, withPage, type WorkersPage } from './soap.js';
import { asList, child, parseXml, textOf, XmlReadError, type XmlValue } from './xml.js';

const pages = new WeakMap<HttpResponse, WorkersPage>();

function pageOf(res: HttpResponse): WorkersPage {
  const cached = pages.get(res);
  if (cached) return cached;
  if (typeof res.data !== 'string') throw new Error('expected an XML body');
  // Messages from here are not redacted by the pipeline: they never quote the body's text.
  let doc;
  try {
    doc = parseXml(res.data);
  } catch (e) {
    if (e instanceof XmlReadError) throw new Error(e.message);
    throw new Error('the body could not be read as XML');
  }
  const fault = findFault(doc);
  if (fault) throw new Error(`the body is a SOAP fault${/^[\w.:-]{1,80}$/.test(fault.code) ? ` (${fault.code})` : ''}`);
  const page = readWorkersPage(doc);
  if (page.pageResults !== undefined && page.pageResults !== page.workers.length) {
    throw new Error(
      `Response_Results announces ${page.pageResults} workers on this page but the body holds ${page.workers.length}`,
    );
  }
  pages.set(res, page);
  return page;
}

/** The WID of a raw (not yet validated) worker, for paging fingerprints and de-duplication. */
export function rawWorkerWid(raw: unknown): string | undefined {
  for (const id of asList(child(child(raw as XmlValue, 'Worker_Reference'), 'ID'))) {
    if (id && typeof id === 'object' && !Array.isArray(id) && id['@type'] === 'WID')
      return textOf(id)?.trim() || undefined;
  }
  return undefined;
}

/**
 * Page-number paging with the page in the SOAP body: stops when `Response_Results/Page` reaches
 * `Total_Pages`. Where a response announces no `Total_Pages`, it walks on until a short or empty page.
 */
export function workdayPaging(): Paginator {
  return {
    strategy: {
      name: 'workday-soap-page',
      first: () => 1,
      next: (p) => {
        const page = pageOf(p.response);
        const requested = Number(p.token ?? 1);
        if (page.page !== undefined && page.page !== requested) {
          throw createError({
            kind: 'incomplete',
            vendor: 'workday',
            code: 'page_mismatch',
            message: `Workday: paging employees asked for page ${requested} and got page ${page.page}. The sync stopped without a snapshot so nothing is reported as removed.`,
          });
        }
        const total = page.totalResults;
        if (page.totalPages === undefined) {
          if (p.items.length === 0 || (page.count !== undefined && p.items.length < page.count))
            return { done: true, total, reason: 'short page' };
          return { token: requested + 1, total };
        }
        if (requested >= page.totalPages) return { done: true, total, reason: 'Total_Pages reached' };
        return { token: requested + 1, total };
      },
    },
    placement: (req, token) => ({ ...req, body: withPage(String(req.body), Number(token)) }),
  };
}

/** The raw workers of one Get_Workers response (the employees resource's `records`). */
export function workersOf(res: HttpResponse): unknown[] {
  return pageOf(res).workers;
}
