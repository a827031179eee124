/**
 * Identity changes: a person whose vendor id changed, matched on employee number or work email.
 */
import type { Employee } from '../model.js';

function normNumber(e: Employee): string | null {
  const v = e.employeeNumber?.trim();
  return v ? v : null;
}

function normEmail(e: Employee): string | null {
  const v = e.workEmail?.trim().toLowerCase();
  return v ? v : null;
}

function addTo(m: Map<string, Employee[]>, k: string | null, e: Employee): void {
  if (k === null) return;
  const l = m.get(k);
  if (l) l.push(e);
  else m.set(k, [e]);
}

function candidates(e: Employee, byNumber: Map<string, Employee[]>, byEmail: Map<string, Employee[]>): Set<Employee> {
  const s = new Set<Employee>();
  const n = normNumber(e);
  const m = normEmail(e);
  if (n !== null) for (const x of byNumber.get(n) ?? []) s.add(x);
  if (m !== null) for (const x of byEmail.get(m) ?? []) s.add(x);
  return s;
}

interface IdentityMatch {
  removed: Employee;
  added: Employee;
  matchedOn: 'employeeNumber' | 'workEmail';
}

/** Pair removed and added records that match each other and nobody else (1:1). */
export function matchIdentities(removed: Employee[], added: Employee[]): IdentityMatch[] {
  if (removed.length === 0 || added.length === 0) return [];
  const rNum = new Map<string, Employee[]>();
  const rMail = new Map<string, Employee[]>();
  for (const r of removed) {
    addTo(rNum, normNumber(r), r);
    addTo(rMail, normEmail(r), r);
  }
  const aNum = new Map<string, Employee[]>();
  const aMail = new Map<string, Employee[]>();
  for (const a of added) {
    addTo(aNum, normNumber(a), a);
    addTo(aMail, normEmail(a), a);
  }
  const out: IdentityMatch[] = [];
  for (const a of added) {
    const fwd = candidates(a, rNum, rMail);
    if (fwd.size !== 1) continue;
    const r = fwd.values().next().value as Employee;
    const back = candidates(r, aNum, aMail);
    if (back.size !== 1 || !back.has(a)) continue;
    const n = normNumber(a);
    out.push({ removed: r, added: a, matchedOn: n !== null && n === normNumber(r) ? 'employeeNumber' : 'workEmail' });
  }
  return out;
}
