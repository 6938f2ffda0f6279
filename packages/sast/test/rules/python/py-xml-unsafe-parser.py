import xml.etree.ElementTree as ET
from xml.dom import minidom


def parse(body):
    # ruleid: py-xml-unsafe-parser
    root = ET.fromstring(body)
    # ruleid: py-xml-unsafe-parser
    doc = minidom.parseString(body)
    # ok: py-xml-unsafe-parser
    data = json.loads(body)
    return root, doc, data
