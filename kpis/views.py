def overview(r): pass
def queue_detail(r, pk): pass
def import_intervals(r): pass
def sample_file(r, format): pass
def export_table(r): pass
