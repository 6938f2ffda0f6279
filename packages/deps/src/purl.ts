import { PackageURL } from 'packageurl-js';
import type { Ecosystem } from './types.js';

const TYPES: Record<Ecosystem, string> = {
  npm: 'npm',
  PyPI: 'pypi',
  Go: 'golang',
  'crates.io': 'cargo',
  RubyGems: 'gem',
  Packagist: 'composer',
  Maven: 'maven',
  NuGet: 'nuget',
  Pub: 'pub',
  Hex: 'hex',
};

/** The package URL (purl spec) of a package, built with packageurl-js; undefined if it cannot be formed. */
export function purlFor(ecosystem: Ecosystem, name: string, version: string): string | undefined {
  const type = TYPES[ecosystem];
  let namespace: string | undefined;
  let pkgName = name;
  const split = (sep: string) => {
    const i = name.lastIndexOf(sep);
    if (i > 0) {
      namespace = name.slice(0, i);
      pkgName = name.slice(i + 1);
    }
  };
  if (ecosystem === 'npm' && name.startsWith('@')) split('/');
  else if (ecosystem === 'Go' || ecosystem === 'Packagist') split('/');
  else if (ecosystem === 'Maven') split(':');
  try {
    return new PackageURL(type, namespace, pkgName, version || undefined, undefined, undefined).toString();
  } catch {
    return undefined;
  }
}
