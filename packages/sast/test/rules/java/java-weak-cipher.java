class C {
  void c() throws Exception {
    // ruleid: java-weak-cipher
    Cipher a = Cipher.getInstance("DES/CBC/PKCS5Padding");
    // ruleid: java-weak-cipher
    Cipher b = Cipher.getInstance("AES");
    // ruleid: java-weak-cipher
    Cipher c = Cipher.getInstance("AES/ECB/PKCS5Padding");
    // ok: java-weak-cipher
    Cipher d = Cipher.getInstance("AES/GCM/NoPadding");
    // ruleid: java-weak-cipher
    javax.crypto.Cipher e = javax.crypto.Cipher.getInstance("DESede/ECB/PKCS5Padding");
    // ruleid: java-weak-cipher
    javax.crypto.SecretKey k1 = javax.crypto.KeyGenerator.getInstance("DES").generateKey();
    // ruleid: java-weak-cipher
    SecretKeyFactory f = SecretKeyFactory.getInstance("DESede");
    // ok: java-weak-cipher
    SecretKey k2 = KeyGenerator.getInstance("AES").generateKey();
    // ok: java-weak-cipher
    SecretKeyFactory g = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
  }
}
