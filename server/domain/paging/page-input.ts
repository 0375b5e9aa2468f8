// The schema lives in common/ because the browser reads the sort choices and page size too.
export {
  pageInput,
  pageOutput,
  searchText,
  type Page,
  PAGE_LIMIT_MAX,
  PAGE_LIMIT_DEFAULT,
} from "@/common/paging";
