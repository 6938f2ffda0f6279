class Parser {
  Document parse(InputStream in) throws Exception {
    // ruleid: java-xxe
    DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
    return dbf.newDocumentBuilder().parse(in);
  }
}

class SafeParser {
  Document parse(InputStream in) throws Exception {
    // ok: java-xxe
    DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
    dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return dbf.newDocumentBuilder().parse(in);
  }
}
