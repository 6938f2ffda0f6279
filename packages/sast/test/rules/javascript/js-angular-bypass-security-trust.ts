export class Preview {
  constructor(private sanitizer: DomSanitizer) {}
  render(html: string) {
    // ruleid: js-angular-bypass-security-trust
    this.content = this.sanitizer.bypassSecurityTrustHtml(html);
    // ruleid: js-angular-bypass-security-trust
    this.link = this.sanitizer.bypassSecurityTrustUrl(location.hash.slice(1));
    // ok: js-angular-bypass-security-trust
    this.icon = this.sanitizer.bypassSecurityTrustHtml('<svg></svg>');
  }
}
