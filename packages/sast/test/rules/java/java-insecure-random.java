class Tokens {
  String issue() {
    // ruleid: java-insecure-random
    long resetToken = new Random().nextLong();
    // ok: java-insecure-random
    int jitter = new Random().nextInt(100);
    // ok: java-insecure-random
    byte[] sessionKey = new byte[32];
    new SecureRandom().nextBytes(sessionKey);
    return resetToken + ":" + jitter;
  }

  String generatePassword() {
    // ruleid: java-insecure-random
    return Long.toHexString(new Random().nextLong());
  }
}
