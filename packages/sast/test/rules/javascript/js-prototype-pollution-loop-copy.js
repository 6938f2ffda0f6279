function merge(target, source) {
  for (const key in source) {
    // ruleid: js-prototype-pollution-loop-copy
    target[key] = merge(target[key], source[key]);
  }
  return target;
}
function safeMerge(target, source) {
  for (const key of Object.keys(source)) {
    if (key === '__proto__' || key === 'constructor') continue;
    // ok: js-prototype-pollution-loop-copy
    target[key] = safeMerge(target[key], source[key]);
  }
  return target;
}
