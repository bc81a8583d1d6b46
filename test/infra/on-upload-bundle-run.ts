/**
 * Run by test/infra/pdf-bundle.test.ts in a fresh Node process, compiled into a folder of its own: the in-memory
 * stack with every upload handled by the built on-upload bundle (argv[2]) instead of the source, an intake taken
 * through list and unsigned attestation, and what the test asserts printed as JSON. globalThis.pdfjsLib is set when
 * pdfjs's pdf.mjs is evaluated: before the attestation it must not be.
 */
import { pathToFileURL } from 'node:url';
import type { createHandler } from '../../functions/on-upload.js';
import { startMemoryStack, type Caller } from '../fixtures/memory-stack.js';

const bundle = process.argv[2];
if (!bundle) throw new Error('usage: on-upload-bundle-run <bundle.mjs>');
const built = (await import(pathToFileURL(bundle).href)) as { createHandler: typeof createHandler };
const pdfjsAtImport = 'pdfjsLib' in globalThis;

const stack = startMemoryStack({ createUploadHandler: built.createHandler });
const acme: Caller = { role: 'committente', tenant: 'acme', sub: 'alice' };
const id = (await stack.call('POST', '/v1/intakes', acme, { callCenter: 'cc-napoli', campaign: 'luce' })).json.intakeId as string;
const list = 'nome;cognome;telefono;data_consenso\r\nMario;Rossi;+39 347 1000001;15/03/2026\r\nAnna;Bianchi;+39 347 1000002;15/03/2026\r\n';
await stack.upload(id, 'list', list);
const pdfjsAfterList = 'pdfjsLib' in globalThis;
await stack.upload(id, 'attestation', await stack.unsignedAttestation(id, list, 2));
const intake = (await stack.call('GET', `/v1/intakes/${id}`, acme)).json;

// pdfjs prints its warnings (no native canvas) on stdout: the result is the last line.
process.stdout.write(
  `\n${JSON.stringify({
    id,
    pdfjsAtImport,
    pdfjsAfterList,
    pdfjsAfterAttestation: 'pdfjsLib' in globalThis,
    status: intake.status,
    findings: (intake.findings as { code: string }[]).map((f) => f.code),
    fields: intake.attestation?.fields,
  })}\n`,
);
