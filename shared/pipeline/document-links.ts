import type { z } from 'zod';
import type { DocumentLinks } from '../api/schemas.js';
import type { Principal } from '../auth/principal.js';
import { actorOf } from '../auth/principal.js';
import { versionOf, type VersionChoice } from '../ports/object-store.js';
import { DOWNLOAD_LINK_SECONDS, type PipelineDeps } from './deps.js';
import { notFound } from '../errors.js';
import { visibleIntake } from './queries.js';

type DocumentLinksView = z.infer<typeof DocumentLinks>;

/** The file extension a person's viewer needs, from the kind sniffed from the bytes (never from a client name). */
const attestationExtension: Record<string, string> = {
  'cades-pdf': 'pdf.p7m',
  'pades-pdf': 'pdf',
  pdf: 'pdf',
  'scan-pdf': 'pdf',
  'scan-png': 'png',
  'scan-jpeg': 'jpg',
  'scan-tiff': 'tif',
};

/**
 * Five-minute links to an intake's documents as uploaded (the list and the attestation) and, once a verdict is
 * recorded, its receipt: what a compliance officer or the committente opens to judge the verdict.
 *
 * 1. Scope as for the intake itself: the committente its own, compliance staff their tenants; anyone else 404.
 * 2. Presign a GET for each stored document (attachment, with a name chosen here).
 * 3. Audit the issue (GDPR art. 30, Codice di condotta 2024 art. 14: who looked at a list is part of its custody).
 */
export async function documentLinks(deps: PipelineDeps, principal: Principal, intakeId: string): Promise<DocumentLinksView> {
  if (principal.role === 'callcenter') throw notFound('no such intake');
  const intake = await visibleIntake(deps, principal, intakeId);
  const snapshot = intake.toSnapshot();
  const bucket = deps.buckets.intake;
  // Uploads are linked at the version that was verified (a later write at the key is not what the verdict judged).
  const wanted: ({ kind: 'list' | 'attestation' | 'receipt'; key: string; fileName: string; sha256?: string; bytes?: number } & VersionChoice)[] = [];
  if (snapshot.uploads.list) {
    wanted.push({
      kind: 'list',
      key: snapshot.uploads.list.key,
      ...versionOf(snapshot.uploads.list),
      fileName: `${intakeId}-lista.csv`,
      bytes: snapshot.uploads.list.size,
      ...(snapshot.list?.sha256 ? { sha256: snapshot.list.sha256 } : {}),
    });
  }
  if (snapshot.uploads.attestation) {
    const format = typeof snapshot.attestation?.format === 'string' ? snapshot.attestation.format : '';
    const sha = typeof snapshot.attestation?.sha256 === 'string' ? snapshot.attestation.sha256 : undefined;
    wanted.push({
      kind: 'attestation',
      key: snapshot.uploads.attestation.key,
      ...versionOf(snapshot.uploads.attestation),
      fileName: `${intakeId}-dichiarazione.${attestationExtension[format] ?? 'bin'}`,
      bytes: snapshot.uploads.attestation.size,
      ...(sha ? { sha256: sha } : {}),
    });
  }
  if (snapshot.receiptKey) wanted.push({ kind: 'receipt', key: snapshot.receiptKey, fileName: `${intakeId}-esito.json` });

  const now = deps.now();
  const documents = await Promise.all(
    wanted.map(async (d) => {
      const link = await deps.objects.presignGet(bucket, d.key, { expiresInSeconds: DOWNLOAD_LINK_SECONDS, downloadName: d.fileName, ...versionOf(d) });
      return {
        kind: d.kind,
        url: link.url,
        fileName: d.fileName,
        ...(d.sha256 ? { sha256: d.sha256 } : {}),
        ...(d.bytes !== undefined ? { bytes: d.bytes } : {}),
      };
    }),
  );
  const expiresAt = new Date(now.getTime() + DOWNLOAD_LINK_SECONDS * 1000).toISOString();
  if (documents.length > 0) {
    await deps.intakes.appendEvent(intakeId, {
      type: 'document.link_issued',
      actor: actorOf(principal),
      at: now.toISOString(),
      data: { documents: documents.map((d) => d.kind), expiresAt },
    });
  }
  return { intakeId, documents, expiresAt };
}
