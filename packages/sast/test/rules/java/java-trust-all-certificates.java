class TrustAll implements X509TrustManager {
  public void checkClientTrusted(X509Certificate[] chain, String authType) {
    if (chain == null) throw new IllegalArgumentException();
  }
  // ruleid: java-trust-all-certificates
  public void checkServerTrusted(X509Certificate[] chain, String authType) {}
  public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
}
class Checking implements X509TrustManager {
  // ok: java-trust-all-certificates
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    delegate.checkServerTrusted(chain, authType);
  }
}
