import { ConsentSampleQuery, IntakeIdParam } from '../shared/api/schemas.js';
import { consentSampleCsv } from '../shared/consent/index.js';
import { consentSampleOf } from '../shared/pipeline/consent-evidence.js';
import { lambdaDeps } from './lib/deps-source.js';
import { route } from './lib/http.js';

/**
 * GET /v1/intakes/{id}/consent-sample: the consent sample to answer (docs/consent-sampling.md), as JSON or, with
 * ?format=csv, as the CSV whose empty evidence columns the committente fills in and uploads.
 */
export const createHandler = route({ params: IntakeIdParam, query: ConsentSampleQuery }, async ({ principal, params, query, deps }) => {
  const sample = await consentSampleOf(deps, principal, params.id);
  if (query.format === 'csv') {
    return {
      status: 200,
      binary: new TextEncoder().encode(consentSampleCsv(sample.rows)),
      contentType: 'text/csv; charset=utf-8',
      fileName: `campione-consensi-${params.id}.csv`,
    };
  }
  return { status: 200, json: sample };
});

export const handler = createHandler(lambdaDeps());
