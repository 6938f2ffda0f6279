class Proxy {
  String fetch(@RequestParam String url, RestTemplate restTemplate) throws Exception {
    // ruleid: java-ssrf
    URL u = new URL(url);
    // ruleid: java-ssrf
    String body = restTemplate.getForObject(url, String.class);
    // ok: java-ssrf
    URL fixed = new URL("https://api.example.com/status");
    return body;
  }
}
