function merge(target, source) {
  for (const key in source) {
    // ruleid: js-prototype-pollution-loop-copy
    target[key] = merge(target[key], source[key]);
  }
  return target;
}
function deepAssign(dst, src) {
  for (const k in src) {
    if (!Object.prototype.hasOwnProperty.call(src, k)) continue;
    if (typeof dst[k] === 'object') {
      deepAssign(dst[k], src[k]);
    } else {
      // ruleid: js-prototype-pollution-loop-copy
      dst[k] = src[k];
    }
  }
}
function deepAssignChecked(dst, src) {
  for (const k in src) {
    if (k === '__proto__' || k === 'constructor') continue;
    if (typeof dst[k] === 'object') {
      deepAssignChecked(dst[k], src[k]);
    } else {
      // ok: js-prototype-pollution-loop-copy
      dst[k] = src[k];
    }
  }
}
function shallowCopy(dst, src) {
  for (const k in src) {
    // ok: js-prototype-pollution-loop-copy
    dst[k] = src[k];
  }
}
function safeMerge(target, source) {
  for (const key of Object.keys(source)) {
    if (key === '__proto__' || key === 'constructor') continue;
    // ok: js-prototype-pollution-loop-copy
    target[key] = safeMerge(target[key], source[key]);
  }
  return target;
}
