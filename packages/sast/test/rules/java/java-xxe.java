class Parser {
  Document parse(InputStream in) throws Exception {
    // ruleid: java-xxe
    DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
    return dbf.newDocumentBuilder().parse(in);
  }
}

class MixedParsers {
  Document hardened(InputStream in) throws Exception {
    // ok: java-xxe
    DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
    dbf.setFeature("http://xml.org/sax/features/external-general-entities", false);
    dbf.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
    return dbf.newDocumentBuilder().parse(in);
  }

  Document secureProcessingOnly(InputStream in) throws Exception {
    // ruleid: java-xxe
    DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
    dbf.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    return dbf.newDocumentBuilder().parse(in);
  }

  Document doctypeAllowed(InputStream in) throws Exception {
    // ruleid: java-xxe
    DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
    dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
    return dbf.newDocumentBuilder().parse(in);
  }

  XMLStreamReader stax(InputStream in) throws Exception {
    // ok: java-xxe
    XMLInputFactory xif = XMLInputFactory.newFactory();
    xif.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    return xif.createXMLStreamReader(in);
  }
}

class FieldFactory {
  // ok: java-xxe
  private static final DocumentBuilderFactory DBF = DocumentBuilderFactory.newInstance();

  static {
    DBF.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
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
