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
