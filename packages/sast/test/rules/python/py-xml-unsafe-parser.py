import xml.etree.ElementTree as ET
from xml.dom import minidom
from xml.dom.pulldom import START_ELEMENT, parseString


def parse(body):
    # ruleid: py-xml-unsafe-parser
    root = ET.fromstring(body)
    # ruleid: py-xml-unsafe-parser
    doc = minidom.parseString(body)
    # ok: py-xml-unsafe-parser
    data = json.loads(body)
    # ruleid: py-xml-unsafe-parser
    events = parseString(body)
    # ok: py-xml-unsafe-parser
    other = fromstring(body)
    return root, doc, data


def parse_lxml(body):
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True)
    # ok: py-xml-unsafe-parser
    return lxml.etree.fromstring(body, parser=parser)


def parse_lxml_default(body):
    # ok: py-xml-unsafe-parser
    parser = lxml.etree.XMLParser(huge_tree=True)
    # ruleid: py-xml-unsafe-parser
    return lxml.etree.fromstring(body, parser=parser)
