class Ck {
  void set(HttpServletResponse response, String sid) {
    Cookie c = new Cookie("sid", sid);
    // ruleid: java-cookie-insecure
    c.setSecure(false);
    // ok: java-cookie-insecure
    c.setHttpOnly(true);
    response.addCookie(c);
  }
}
