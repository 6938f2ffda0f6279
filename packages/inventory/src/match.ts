import type { ReportError } from '@devsecflow/core';
import {
  type AdvisorySource,
  type Ecosystem,
  type ExtractedPackage,
  matchPackages,
  type OsvVuln,
} from '@devsecflow/deps';
import type { ComponentHit } from './types.js';

/** A deployed component and the advisory records that affect its version. */
export interface AffectedComponent {
  hit: ComponentHit;
  vulns: OsvVuln[];
}

/**
 * Matches deployed registry components against an advisory source with deps' matcher (the OSV
 * evaluation rules, identical online and offline). Non-registry components are never matched.
 */
export async function matchComponents(
  hits: ComponentHit[],
  source: AdvisorySource,
  signal?: AbortSignal,
): Promise<{ affected: AffectedComponent[]; errors: ReportError[] }> {
  const registry = hits.filter((h) => h.component.registry);
  const packages: ExtractedPackage[] = registry.map((h) => ({
    ecosystem: h.component.ecosystem as Ecosystem,
    name: h.component.name,
    version: h.component.version,
    manifest: `${h.deployment.application}/${h.deployment.environment}`,
    direct: false,
    scope: 'prod',
  }));
  const { matches, errors } = await matchPackages(packages, source, signal);
  const byPackage = new Map(matches.map((m) => [m.pkg, m.vulns]));
  const affected: AffectedComponent[] = [];
  registry.forEach((hit, i) => {
    const vulns = byPackage.get(packages[i]!);
    if (vulns?.length) affected.push({ hit, vulns });
  });
  return { affected, errors };
}
