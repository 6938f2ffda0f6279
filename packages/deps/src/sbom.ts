import { randomUUID } from 'node:crypto';
import { purlFor } from './purl.js';
import type { ExtractResult } from './types.js';

export interface CycloneDxOptions {
  /** Name of the scanned project (the root component). */
  name?: string;
  version?: string;
  toolVersion?: string;
  /** Fixed values make the output reproducible (tests, committed SBOMs). */
  serialNumber?: string;
  timestamp?: string;
}

/** A CycloneDX 1.6 JSON document (the subset we write). */
export type CycloneDxBom = Record<string, unknown> & { bomFormat: 'CycloneDX'; specVersion: '1.6' };

/**
 * CycloneDX 1.6 JSON SBOM of every package the lockfiles list: one component per package
 * (bom-ref = purl, deduplicated across lockfiles), scope required/optional from the dependency
 * scope, the manifest as a property, and the dependency graph where the lockfile records it.
 */
export function toCycloneDx(results: ExtractResult[], options: CycloneDxOptions = {}): CycloneDxBom {
  const rootRef = 'root-component';
  const components = new Map<string, Record<string, unknown>>();
  const deps = new Map<string, Set<string>>();
  const direct = new Set<string>();
  for (const r of results) {
    const refs: string[] = [];
    for (const p of r.packages) {
      const purl = purlFor(p.ecosystem, p.name, p.version);
      const ref = purl ?? `${p.ecosystem}:${p.name}@${p.version}`;
      refs.push(ref);
      let c = components.get(ref);
      if (!c) {
        c = {
          type: 'library',
          'bom-ref': ref,
          name: p.name,
          version: p.version,
          ...(purl ? { purl } : {}),
          scope: p.scope === 'dev' || p.scope === 'optional' || p.scope === 'peer' ? 'optional' : 'required',
          properties: [] as { name: string; value: string }[],
        };
        if (p.ecosystem === 'Maven' && p.name.includes(':')) {
          c.group = p.name.slice(0, p.name.indexOf(':'));
          c.name = p.name.slice(p.name.indexOf(':') + 1);
        }
        components.set(ref, c);
      } else if (p.scope === 'prod') {
        c.scope = 'required';
      }
      const props = c.properties as { name: string; value: string }[];
      if (!props.some((x) => x.value === r.manifest))
        props.push({ name: 'devsecflow:manifest', value: r.manifest });
      if (p.source && !props.some((x) => x.name === 'devsecflow:source'))
        props.push({ name: 'devsecflow:source', value: p.source });
      if (p.direct) direct.add(ref);
      if (!deps.has(ref)) deps.set(ref, new Set());
    }
    for (const [a, b] of r.edges ?? []) {
      const from = refs[a];
      const to = refs[b];
      if (from && to && from !== to) deps.get(from)!.add(to);
    }
  }
  const dependencies = [
    { ref: rootRef, dependsOn: [...direct].sort() },
    ...[...deps]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([ref, on]) => ({ ref, dependsOn: [...on].sort() })),
  ];
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: options.serialNumber ?? `urn:uuid:${randomUUID()}`,
    version: 1,
    metadata: {
      timestamp: options.timestamp ?? new Date().toISOString(),
      tools: {
        components: [
          {
            type: 'application',
            name: 'devsecflow',
            ...(options.toolVersion ? { version: options.toolVersion } : {}),
          },
        ],
      },
      component: {
        type: 'application',
        'bom-ref': rootRef,
        name: options.name ?? 'project',
        ...(options.version ? { version: options.version } : {}),
      },
    },
    components: [...components.values()]
      .sort((a, b) => String(a['bom-ref']).localeCompare(String(b['bom-ref'])))
      .map((c) => ((c.properties as unknown[]).length ? c : (({ properties: _p, ...rest }) => rest)(c))),
    dependencies,
  };
}
