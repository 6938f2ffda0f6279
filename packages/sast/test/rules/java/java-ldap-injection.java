class Ldap {
  void find(HttpServletRequest request, DirContext ctx, SearchControls sc) throws Exception {
    String uid = request.getParameter("uid");
    // ruleid: java-ldap-injection
    ctx.search("ou=people,dc=example,dc=com", "(uid=" + uid + ")", sc);
    // ok: java-ldap-injection
    ctx.search("ou=people,dc=example,dc=com", "(uid={0})", new Object[] {uid}, sc);
  }
}
