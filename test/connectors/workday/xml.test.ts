/** Unit tests: safe, namespace-aware XML reading and the Get_Workers envelope. */
import { describe, expect, it } from 'vitest';
import { declaresDtd, decodeEntities, parseXml, XmlReadError } from '../../../connectors/workday/xml.js';
import {
  findFault,
  readWorkersPage,
  renderGetWorkers,
  withPage,
  RESPONSE_GROUP,
} from '../../../connectors/workday/soap.js';
import { WorkerSchema } from '../../../connectors/workday/schemas.js';
import { digestWorker } from '../../../connectors/workday/map.js';
import { classifyWorkday } from '../../../connectors/workday/index.js';

const worker = (prefix: string, decl: string, body: string) =>
  `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><${prefix}Get_Workers_Response ${decl}><${prefix}Response_Data>${body}</${prefix}Response_Data></${prefix}Get_Workers_Response></soap:Body></soap:Envelope>`;

const oneWorker = (p: string) =>
  `<${p}Worker><${p}Worker_Reference ${p ? p.replace(':', '') + ':' : ''}Descriptor="A"><${p}ID ${p ? p.replace(':', '') + ':' : ''}type="WID">abc</${p}ID></${p}Worker_Reference><${p}Worker_Data><${p}Worker_ID>7</${p}Worker_ID></${p}Worker_Data></${p}Worker>`;

describe('parseXml: by namespace, not by prefix', () => {
  it('reads wd:, bsvc: and a default namespace identically', () => {
    const a = readWorkersPage(parseXml(worker('wd:', 'xmlns:wd="urn:com.workday/bsvc"', oneWorker('wd:'))));
    const b = readWorkersPage(parseXml(worker('bsvc:', 'xmlns:bsvc="urn:com.workday/bsvc"', oneWorker('bsvc:'))));
    const c = readWorkersPage(
      parseXml(
        worker(
          '',
          'xmlns="urn:com.workday/bsvc" xmlns:wd="urn:com.workday/bsvc"',
          oneWorker('').replace('Descriptor=', 'wd:Descriptor=').replace('type=', 'wd:type='),
        ),
      ),
    );
    expect(a.workers).toHaveLength(1);
    expect(b.workers).toEqual(a.workers);
    expect(c.workers).toEqual(a.workers);
    expect(a.workers[0]).toEqual({
      Worker_Reference: { '@Descriptor': 'A', ID: { '@type': 'WID', '#text': 'abc' } },
      Worker_Data: { Worker_ID: '7' },
    });
  });

  it('ignores a look-alike element in a foreign namespace, and a wd: prefix bound to another namespace', () => {
    const foreign = worker(
      'wd:',
      'xmlns:wd="urn:com.workday/bsvc"',
      `${oneWorker('wd:')}<x:Worker xmlns:x="urn:example:not-workday"><x:Worker_Reference/></x:Worker>`,
    );
    expect(readWorkersPage(parseXml(foreign)).workers).toHaveLength(1);
    const impostor = worker('wd:', 'xmlns:wd="urn:example:evil"', oneWorker('wd:'));
    expect(() => readWorkersPage(parseXml(impostor))).toThrow(
      /Get_Workers_Response in the urn:com.workday\/bsvc namespace/,
    );
  });

  it('keeps repeated elements as arrays and single ones as values (the schema normalizes both)', () => {
    const two = `<wd:Worker><wd:Worker_Reference wd:Descriptor="A"><wd:ID wd:type="WID">w1</wd:ID><wd:ID wd:type="Employee_ID">9</wd:ID></wd:Worker_Reference><wd:Worker_Data><wd:Personal_Data><wd:Contact_Data><wd:Email_Address_Data><wd:Email_Address>A@X.example</wd:Email_Address><wd:Usage_Data wd:Public="1"><wd:Type_Data wd:Primary="true"><wd:Type_Reference><wd:ID wd:type="Communication_Usage_Type_ID">WORK</wd:ID></wd:Type_Reference></wd:Type_Data></wd:Usage_Data></wd:Email_Address_Data></wd:Contact_Data></wd:Personal_Data></wd:Worker_Data></wd:Worker>`;
    const [w] = readWorkersPage(parseXml(worker('wd:', 'xmlns:wd="urn:com.workday/bsvc"', two))).workers;
    const row = digestWorker(WorkerSchema.parse(w));
    expect(row.employeeId).toBe('9');
    expect(row.emails).toEqual([{ address: 'A@X.example', usage: 'WORK', primary: true }]);
  });

  it('decodes only the predefined entities and character references', () => {
    expect(decodeEntities('R&amp;D &lt;x&gt; &quot;q&quot; &apos;a&apos; &#233; &#x1F600; &nbsp; &bogus;')).toBe(
      'R&D <x> "q" \'a\' é 😀 &nbsp; &bogus;',
    );
    const doc = parseXml(
      '<a xmlns="urn:com.workday/bsvc"><b c="1 &amp; 2">Ren&#xe9;e &amp;#xa;</b><d><![CDATA[<&amp;>]]></d></a>',
    );
    expect(doc).toEqual({ a: { b: { '@c': '1 & 2', '#text': 'Renée &#xa;' }, d: '<&amp;>' } });
  });

  it('refuses DOCTYPE and ENTITY declarations before parsing (XXE, billion laughs)', () => {
    const bomb =
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><x>&b;</x>';
    const xxe = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>';
    for (const body of [bomb, xxe, '<x><!ENTITY y "z"></x>', '<!doctype x><x/>']) {
      expect(declaresDtd(body)).toBe(true);
      expect(() => parseXml(body)).toThrow(XmlReadError);
      try {
        parseXml(body);
      } catch (e) {
        expect((e as XmlReadError).code).toBe('xml_dtd_refused');
      }
    }
    expect(declaresDtd('<x>DOCTYPE and ENTITY are fine as text</x>')).toBe(false);
  });

  it('finds a DTD exactly where /<!\\s*(?:DOCTYPE|ENTITY)/i does (the scan only tries after `<!`)', () => {
    const DTD = /<!\s*(?:DOCTYPE|ENTITY)/i;
    const PIECES = ['<', '!', '<!', ' ', '\n', 'DOCTYPE', 'doctype', 'EnTiTy', 'ENTIT', '-->', '<!--', 'x', '!!', '<<'];
    let seed = 16;
    const rand = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
    let found = 0;
    for (let n = 0; n < 3000; n++) {
      let s = '';
      for (let k = Math.floor(rand() * 8); k >= 0; k--) s += PIECES[Math.floor(rand() * PIECES.length)];
      expect(declaresDtd(s), JSON.stringify(s)).toBe(DTD.test(s));
      if (DTD.test(s)) found++;
    }
    expect(found).toBeGreaterThan(20);
    for (const s of ['<! DOCTYPE x>', '!<!ENTITY', '<!-- <!doctype -->', '<!<!DOCTYPE', '<x/>!', '!'])
      expect(declaresDtd(s), s).toBe(DTD.test(s));
  });

  it('fails on truncated or unbalanced XML instead of returning partial data', () => {
    const full = worker('wd:', 'xmlns:wd="urn:com.workday/bsvc"', oneWorker('wd:') + oneWorker('wd:'));
    expect(() => parseXml(full.slice(0, full.length - 40))).toThrow(/not well-formed/);
    expect(() => parseXml('<a><b></a>')).toThrow(/not well-formed/);
  });
});

describe('SOAP faults', () => {
  it('reads the fault code without its prefix, the faultstring and validation details', () => {
    const f = findFault(
      parseXml(
        '<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><S:Fault xmlns:wd="urn:com.workday/bsvc"><faultcode>S:Client.validationError</faultcode><faultstring>Bad thing</faultstring><detail><wd:Validation_Fault><wd:Validation_Error><wd:Message>Bad thing</wd:Message><wd:Detail_Message>more</wd:Detail_Message><wd:Xpath>/x[1]</wd:Xpath></wd:Validation_Error></wd:Validation_Fault></detail></S:Fault></S:Body></S:Envelope>',
      ),
    );
    expect(f).toEqual({ code: 'Client.validationError', message: 'Bad thing', details: ['Bad thing more at /x[1]'] });
  });

  it('classify: auth and validation faults are final, other faults are retried, HTML and DTDs are refused', () => {
    const raw = (status: number, text: string) => ({
      status,
      headers: {},
      text,
      json: undefined,
      method: 'POST',
      path: '/Human_Resources/v44.0',
    });
    const fault = (code: string, msg: string) =>
      `<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body><SOAP-ENV:Fault><faultcode>SOAP-ENV:${code}</faultcode><faultstring>${msg}</faultstring></SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>`;
    expect(
      classifyWorkday(raw(500, fault('Client.authenticationError', 'invalid username or password'))),
    ).toMatchObject({ kind: 'auth', retryable: false });
    expect(classifyWorkday(raw(500, fault('Client.validationError', 'nope')))).toMatchObject({
      kind: 'vendor',
      retryable: false,
      message: expect.stringContaining('"nope"'),
    });
    expect(classifyWorkday(raw(500, fault('Server.internalError', 'oops')))).toMatchObject({
      kind: 'transient',
      retryable: true,
    });
    // A fault in a 200 response is still a fault.
    expect(classifyWorkday(raw(200, fault('Client.authenticationError', 'x')))).toMatchObject({ kind: 'auth' });
    // Plain 500/503 bodies: the generic status rules (retried).
    expect(classifyWorkday(raw(503, '<html><title>Down</title></html>'))).toBeUndefined();
    expect(classifyWorkday(raw(500, ''))).toBeUndefined();
    expect(classifyWorkday(raw(200, '<!DOCTYPE html><html><title>Login</title></html>'))).toMatchObject({
      kind: 'vendor',
      code: 'unexpected_content_type',
    });
    expect(classifyWorkday(raw(200, '<!DOCTYPE x [<!ENTITY a "b">]><x/>'))).toMatchObject({
      kind: 'vendor',
      code: 'xml_dtd_refused',
      retryable: false,
    });
    // A body cut off before the end of the envelope is retried.
    expect(
      classifyWorkday(
        raw(200, '<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Body><wd:Get_Wor'),
      ),
    ).toMatchObject({ kind: 'transient', code: 'malformed_body', retryable: true });
    expect(
      classifyWorkday(
        raw(200, '<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Body/></env:Envelope>\n'),
      ),
    ).toBeUndefined();
  });
});

describe('renderGetWorkers', () => {
  const params = {
    username: 'isu@t',
    password: 'a<b&c',
    version: '44.0',
    page: 1,
    count: 100,
    asOfEffectiveDate: '2025-06-02',
    asOfEntryDateTime: '2025-06-02T00:00:00.000Z',
  };

  it('escapes credentials and keeps the XSD order of Get_Workers_Request children', () => {
    const xml = renderGetWorkers(params);
    expect(xml).toContain(
      '<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">a&lt;b&amp;c</wsse:Password>',
    );
    const order = ['Request_Criteria', 'Response_Filter', 'Response_Group'].map((n) => xml.indexOf(`<bsvc:${n}>`));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order[0]).toBeGreaterThan(0);
    const group = RESPONSE_GROUP.map(([n]) => xml.indexOf(`<bsvc:${n}>`));
    expect(group.every((i) => i > 0)).toBe(true);
    expect(group).toEqual([...group].sort((a, b) => a - b));
  });

  it('puts Updated and Effective windows in Transaction_Date_Range_Data, before Exclude_Inactive_Workers', () => {
    const xml = renderGetWorkers({
      ...params,
      transactionLog: { updatedFrom: 'U1', updatedThrough: 'U2', effectiveFrom: 'E1', effectiveThrough: 'E2' },
    });
    expect(xml).toContain(
      '<bsvc:Request_Criteria><bsvc:Transaction_Log_Criteria_Data><bsvc:Transaction_Date_Range_Data><bsvc:Updated_From>U1</bsvc:Updated_From><bsvc:Updated_Through>U2</bsvc:Updated_Through><bsvc:Effective_From>E1</bsvc:Effective_From><bsvc:Effective_Through>E2</bsvc:Effective_Through></bsvc:Transaction_Date_Range_Data></bsvc:Transaction_Log_Criteria_Data><bsvc:Exclude_Inactive_Workers>false</bsvc:Exclude_Inactive_Workers></bsvc:Request_Criteria>',
    );
  });

  it('withPage replaces only the page number', () => {
    const xml = renderGetWorkers(params);
    const p3 = withPage(xml, 3);
    expect(p3).toContain('<bsvc:Page>3</bsvc:Page>');
    expect(p3.replace('<bsvc:Page>3</bsvc:Page>', '<bsvc:Page>1</bsvc:Page>')).toBe(xml);
  });
});
