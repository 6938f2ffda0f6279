class H {
  void h() throws Exception {
    // ruleid: java-weak-hash
    MessageDigest md = MessageDigest.getInstance("MD5");
    // ruleid: java-weak-hash
    MessageDigest sha = MessageDigest.getInstance("SHA-1");
    // ok: java-weak-hash
    MessageDigest good = MessageDigest.getInstance("SHA-256");
  }
}
