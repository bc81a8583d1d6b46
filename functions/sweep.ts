import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { sweep, type SweepReport } from '../shared/pipeline/sweep.js';
import { lambdaDeps, lambdaMiddlewares, type DepsSource } from './lib/deps-source.js';
import { textractScanReader } from './lib/textract-wiring.js';
import { withOnlineRevocation } from './lib/revocation-wiring.js';

/** On a schedule: expire intakes without both files after 24 h; finish releases and processing a crash left behind. */
export const createHandler = (depsSource: DepsSource) =>
  middy<unknown, SweepReport, Error, Context>()
    .use(lambdaMiddlewares(depsSource))
    .handler(async () => {
    const deps = await depsSource();
    const report = await sweep(deps);
    deps.log.info('sweep', { expired: report.expired.length, released: report.released.length, resumed: report.resumed.length, failed: report.failed.length });
    return report;
  });

export const handler = createHandler(withOnlineRevocation(lambdaDeps(textractScanReader)));
