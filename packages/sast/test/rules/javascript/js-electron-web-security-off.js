// ruleid: js-electron-web-security-off
const a = new BrowserWindow({ webPreferences: { webSecurity: false } });
// ruleid: js-electron-web-security-off
const b = new BrowserWindow({ webPreferences: { allowRunningInsecureContent: true } });
// ok: js-electron-web-security-off
const c = new BrowserWindow({ webPreferences: { webSecurity: true, allowRunningInsecureContent: false } });
