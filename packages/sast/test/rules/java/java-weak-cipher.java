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
  }
}
