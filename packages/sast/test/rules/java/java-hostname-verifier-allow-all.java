class Hv {
  void setup(HttpsURLConnection conn) {
    // ruleid: java-hostname-verifier-allow-all
    conn.setHostnameVerifier((hostname, session) -> true);
    // ok: java-hostname-verifier-allow-all
    conn.setHostnameVerifier(HttpsURLConnection.getDefaultHostnameVerifier());
    // ruleid: java-hostname-verifier-allow-all
    builder.setSSLHostnameVerifier(NoopHostnameVerifier.INSTANCE);
  }
}
