"""The templates' sources: NĐ 30/2020 building blocks (`docx_parts`, `layout`, `danh_sach`)
and one module per document kind (`to_trinh`, `bien_ban`, `bao_cao`)."""
